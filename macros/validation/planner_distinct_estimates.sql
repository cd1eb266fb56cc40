{% macro planner_distinct_estimates(schema, table, row_count) %}
    {{ return(adapter.dispatch('planner_distinct_estimates', 'expand_contract')(schema, table, row_count)) }}
{% endmacro %}

{% macro default__planner_distinct_estimates(schema, table, row_count) %}
    {{ return({}) }}
{% endmacro %}

{% macro postgres__planner_distinct_estimates(schema, table, row_count) %}
    {#- PostgreSQL has no approximate distinct aggregate; its statistics (from ANALYZE or
        autovacuum) hold one: n_distinct, negative when it is a fraction of the rows. Empty when
        the table was never analyzed. -#}
    {% set lit = expand_contract.sql_literal %}
    {% set rows = expand_contract.rows_as_dicts(run_query(
        'select attname as name, n_distinct from pg_stats where schemaname = ' ~ lit(schema)
        ~ ' and tablename = ' ~ lit(table))) %}
    {% set estimates = {} %}
    {% for stat in rows %}
        {% set n = stat.n_distinct %}
        {% do estimates.update({stat.name: (n if n >= 0 else (-n * row_count) | round | int) | int}) %}
    {% endfor %}
    {{ return(estimates) }}
{% endmacro %}

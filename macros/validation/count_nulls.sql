{% macro count_nulls(schema, table, columns) %}
    {#- NULL count of each named column, one scan. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set parts = ['count(*) as row_count'] %}
    {% for column in columns %}
        {% do parts.append('count(*) - count(' ~ adapter.quote(column) ~ ') as n' ~ loop.index0) %}
    {% endfor %}
    {% set row = expand_contract.rows_as_dicts(run_query('select ' ~ parts | join(', ') ~ ' from ' ~ relation))[0] %}
    {% set result = {} %}
    {% for column in columns %}
        {% do result.update({column: row['n' ~ loop.index0]}) %}
    {% endfor %}
    {% do expand_contract.emit_result(result) %}
    {{ return(result) }}
{% endmacro %}

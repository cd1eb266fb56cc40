{% macro count_indexes(schema, table) %}
    {{ return(adapter.dispatch('count_indexes', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__count_indexes(schema, table) %}
    {#- DuckDB: indexes (ART) on the table, which block dropping or renaming its columns. -#}
    {% set found = run_query("select count(*) from duckdb_indexes() where schema_name = " ~ expand_contract.sql_literal(schema)
        ~ " and table_name = " ~ expand_contract.sql_literal(table)) %}
    {{ return(found.rows[0][0] | int) }}
{% endmacro %}

{% macro postgres__count_indexes(schema, table) %}
    {% set found = run_query("select count(*) from pg_indexes where schemaname = " ~ expand_contract.sql_literal(schema)
        ~ " and tablename = " ~ expand_contract.sql_literal(table)) %}
    {{ return(found.rows[0][0] | int) }}
{% endmacro %}

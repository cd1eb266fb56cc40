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
    {#- PostgreSQL: indexes on the table that no constraint owns (a primary key's or a unique
        constraint's index goes where its constraint goes). -#}
    {% set found = run_query("select count(*) from pg_index i join pg_class c on c.oid = i.indrelid"
        ~ " join pg_namespace n on n.oid = c.relnamespace where not i.indisprimary"
        ~ " and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid)"
        ~ " and n.nspname = " ~ expand_contract.sql_literal(schema) ~ " and c.relname = " ~ expand_contract.sql_literal(table)) %}
    {{ return(found.rows[0][0] | int) }}
{% endmacro %}

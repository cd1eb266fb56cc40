{% macro table_definition(schema, table) %}
    {#- The table's own definition where the engine keeps it, for a restore to re-create the table
        exactly (column order, defaults, constraints) with its indexes: {table: CREATE TABLE,
        indexes: [CREATE INDEX]}; none where it does not (PostgreSQL: a restore keeps the table). -#}
    {{ return(adapter.dispatch('table_definition', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__table_definition(schema, table) %}
    {% set lit = expand_contract.sql_literal %}
    {% set where = ' where database_name = current_database() and schema_name = ' ~ lit(schema) ~ ' and table_name = ' ~ lit(table) %}
    {% set found = run_query('select sql from duckdb_tables()' ~ where) %}
    {% if found.rows | length == 0 %}{{ return(none) }}{% endif %}
    {% set indexes = run_query('select sql from duckdb_indexes()' ~ where ~ ' and sql is not null order by index_name') %}
    {% set statements = [] %}
    {% for sql in indexes.columns[0].values() %}{% do statements.append(sql.strip().rstrip(';')) %}{% endfor %}
    {{ return({'table': found.columns[0].values()[0].strip().rstrip(';'), 'indexes': statements}) }}
{% endmacro %}

{% macro postgres__table_definition(schema, table) %}
    {{ return(none) }}
{% endmacro %}

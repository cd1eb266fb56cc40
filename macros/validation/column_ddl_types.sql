{% macro column_ddl_types(schema, table) %}
    {#- Each column's type as the table's DDL spells it ({name: type}), precise enough to declare
        the column again (PostgreSQL's format_type: `character varying(40)`, `integer[]`, ...). -#}
    {{ return(adapter.dispatch('column_ddl_types', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__column_ddl_types(schema, table) %}
    {% set lit = expand_contract.sql_literal %}
    {% set found = run_query('select column_name as name, data_type from duckdb_columns() where database_name = current_database()'
        ~ ' and schema_name = ' ~ lit(schema) ~ ' and table_name = ' ~ lit(table)) %}
    {% set types = {} %}
    {% for row in expand_contract.rows_as_dicts(found) %}{% do types.update({row.name: row.data_type}) %}{% endfor %}
    {{ return(types) }}
{% endmacro %}

{% macro postgres__column_ddl_types(schema, table) %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set found = run_query('select attname as name, format_type(atttypid, atttypmod) as data_type from pg_attribute'
        ~ ' where attrelid = ' ~ expand_contract.sql_literal(relation | string) ~ '::regclass and attnum > 0'
        ~ ' and not attisdropped') %}
    {% set types = {} %}
    {% for row in expand_contract.rows_as_dicts(found) %}{% do types.update({row.name: row.data_type}) %}{% endfor %}
    {{ return(types) }}
{% endmacro %}

{% macro table_rows(schema, table) %}
    {#- The table's row count, or none when it does not exist; emitted as {rows}. One count, no
        checksum: for the tables a migration created, whose rows a rollback must not drop. -#}
    {% set relation = adapter.get_relation(database=target.database, schema=schema, identifier=table) %}
    {% set rows = none %}
    {% if relation is not none %}
        {% set rows = run_query('select count(*) from ' ~ expand_contract.ec_relation(schema, table)).columns[0].values()[0] | int %}
    {% endif %}
    {% do expand_contract.emit_result({'rows': rows}) %}
{% endmacro %}

{% macro drop_sync_trigger(schema, table) %}
    {#- Rollback: removes the sync trigger and its function, if they exist (none on DuckDB). -#}
    {% set statements = expand_contract.sync_trigger_drop_statements(schema, table) %}
    {% if statements %}
        {% do expand_contract.run_in_transaction(statements) %}
    {% endif %}
{% endmacro %}

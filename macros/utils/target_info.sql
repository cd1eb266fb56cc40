{% macro target_info() %}
    {#- Proves the connection works and tells the harness which adapter it talks to (no secrets). -#}
    {% set result = run_query('select 1 as ok') %}
    {% do expand_contract.emit_result({
        'adapter': adapter.type(),
        'database': target.database,
        'schema': target.schema,
        'target': target.name,
        'ok': result.columns[0].values()[0] == 1,
    }) %}
{% endmacro %}

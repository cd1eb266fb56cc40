{% macro switch_version(schema, table, version=none) %}
    {#- The feature flag: points `<table>_current` at one version's view atomically (one transaction).
        Without `version`, the dbt var `expand_contract_version` decides (default v1), e.g.
        `dbt run-operation switch_version --args '{schema: main, table: customers}' --vars '{expand_contract_version: v2}'`. -#}
    {% do expand_contract.run_in_transaction(expand_contract.switch_version_statements(schema, table, version or var('expand_contract_version', 'v1'))) %}
{% endmacro %}

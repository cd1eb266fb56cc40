{% macro switch_version(schema, table, version=none) %}
    {#- The feature flag: points `<table>_current` at one version's view atomically (drop + create
        in one transaction; PostgreSQL cannot CREATE OR REPLACE a view whose columns change).
        Without `version`, the dbt var `expand_contract_version` decides (default v1), e.g.
        `dbt run-operation switch_version --args '{schema: main, table: customers}' --vars '{expand_contract_version: v2}'`. -#}
    {% set chosen_version = version or var('expand_contract_version', 'v1') %}
    {% set current = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_current', type='view') %}
    {% set chosen = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ chosen_version, type='view') %}
    {% do expand_contract.run_in_transaction([
        'drop view if exists ' ~ current,
        'create view ' ~ current ~ ' as select * from ' ~ chosen,
    ]) %}
{% endmacro %}

{% macro shape_relation(table, schema=none) %}
    {#- For models: the view of `table` in the shape the dbt var `expand_contract_versions` chooses
        ({table: v1|v2}), else `<table>_current`. A feature flag per table, flipped with --vars:
        `select * from {{ expand_contract.shape_relation('customers') }}`. -#}
    {% set chosen = var('expand_contract_versions', {}).get(table, 'current') %}
    {{ return(api.Relation.create(database=target.database, schema=schema or target.schema, identifier=table ~ '_' ~ chosen, type='view')) }}
{% endmacro %}

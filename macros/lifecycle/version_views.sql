{% macro create_version_views(schema, table, versions) %}
    {#- Readers' views of each shape, e.g. {'v1': [old columns], 'v2': [new columns]}: `<table>_v1`
        and `<table>_v2` select from the one physical table, so both shapes are readable side by side. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = [] %}
    {% for version, columns in versions.items() | sort %}
        {% set quoted = expand_contract.quote_all(columns) %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ version, type='view') %}
        {% do statements.append('create or replace view ' ~ view ~ ' as select ' ~ quoted | join(', ') ~ ' from ' ~ relation) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro switch_version(schema, table, version) %}
    {#- Points `<table>_current` at one version's view atomically: drop + create in one transaction
        (PostgreSQL cannot CREATE OR REPLACE a view whose columns change). -#}
    {% set current = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_current', type='view') %}
    {% set chosen = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ version, type='view') %}
    {% do expand_contract.run_in_transaction([
        'drop view if exists ' ~ current,
        'create view ' ~ current ~ ' as select * from ' ~ chosen,
    ]) %}
{% endmacro %}

{% macro drop_version_views(schema, table, suffixes) %}
    {#- Drops the views `<table>_<suffix>` that exist, in the order given (dependents first). -#}
    {% set statements = [] %}
    {% for suffix in suffixes %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ suffix, type='view') %}
        {% do statements.append('drop view if exists ' ~ view) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

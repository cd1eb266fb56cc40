{% macro create_version_views(schema, table, versions) %}
    {#- Readers' views of each shape, e.g. {'v1': [old columns], 'v2': [new columns]}: `<table>_v1`
        and `<table>_v2` select from the one physical table, so both shapes are readable side by side. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = [] %}
    {% for version, columns in versions.items() | sort %}
        {% set quoted = [] %}
        {% for column in columns %}{% do quoted.append(adapter.quote(column)) %}{% endfor %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ version, type='view') %}
        {% do statements.append('create or replace view ' ~ view ~ ' as select ' ~ quoted | join(', ') ~ ' from ' ~ relation) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro switch_version(schema, table, version) %}
    {#- Points `<table>_current` at one version's view, atomically (one statement, one transaction). -#}
    {% set current = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_current', type='view') %}
    {% set chosen = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ version, type='view') %}
    {% do expand_contract.run_in_transaction(['create or replace view ' ~ current ~ ' as select * from ' ~ chosen]) %}
{% endmacro %}

{% macro drop_version_views(schema, table, versions) %}
    {#- Drops `<table>_current` and the named versions' views (those that exist). -#}
    {% set statements = [] %}
    {% for suffix in ['current'] + versions %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ suffix, type='view') %}
        {% do statements.append('drop view if exists ' ~ view) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

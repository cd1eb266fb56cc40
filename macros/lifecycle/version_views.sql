{% macro version_view_statements(schema, table, versions, aliases={}, sources={}) %}
    {#- `create or replace view` statements for each shape, e.g. {'v1': [[name, physical], ...]}:
        `<table>_<version>` selects each physical column under the name readers of that shape
        use, from the one physical table, so both shapes are readable (and, on PostgreSQL, writable:
        simple views are updatable) side by side. `aliases` ({view name: version}) add views under
        other names, e.g. the table's new name before a rename. `sources` ({version: table}) reads a
        version from another table (a rewrite's new table). -#}
    {% set statements = [] %}
    {% set named = {} %}
    {% for version, columns in versions.items() %}{% do named.update({table ~ '_' ~ version: columns}) %}{% endfor %}
    {% set origin = {} %}
    {% for version in versions %}{% do origin.update({table ~ '_' ~ version: sources.get(version, table)}) %}{% endfor %}
    {% for name, version in aliases.items() %}
        {% do named.update({name: versions[version]}) %}
        {% do origin.update({name: sources.get(version, table)}) %}
    {% endfor %}
    {% for name, columns in named.items() | sort %}
        {% set relation = expand_contract.ec_relation(schema, origin[name]) %}
        {% set selected = [] %}
        {% for pair in columns %}
            {% do selected.append(adapter.quote(pair[1]) ~ (' as ' ~ adapter.quote(pair[0]) if pair[0] != pair[1] else '')) %}
        {% endfor %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=name, type='view') %}
        {% do statements.append('create or replace view ' ~ view ~ ' as select ' ~ selected | join(', ') ~ ' from ' ~ relation) %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

{% macro create_version_views(schema, table, versions, aliases={}, sources={}) %}
    {#- Creates the versioned views (see version_view_statements) in one transaction. -#}
    {% do expand_contract.run_in_transaction(expand_contract.version_view_statements(schema, table, versions, aliases, sources)) %}
{% endmacro %}

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

{% macro drop_version_views(schema, table, suffixes, names=[]) %}
    {#- Drops the views `<table>_<suffix>` (and views called `names`) that exist, in the order
        given (dependents first), in one transaction. -#}
    {% set statements = [] %}
    {% set views = [] %}
    {% for suffix in suffixes %}{% do views.append(table ~ '_' ~ suffix) %}{% endfor %}
    {% for name in views + names %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=name, type='view') %}
        {% do statements.append('drop view if exists ' ~ view) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro version_view_statements(schema, table, versions, aliases={}, sources={}) %}
    {#- `drop view if exists` + `create view` statements for each shape (not CREATE OR REPLACE:
        PostgreSQL refuses it when a column changes type or place, as the views a previous
        migration of the table left do in the next one), e.g. {'v1': [[name, physical], ...]}:
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
        {% do statements.append('drop view if exists ' ~ view) %}
        {% do statements.append('create view ' ~ view ~ ' as select ' ~ selected | join(', ') ~ ' from ' ~ relation) %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

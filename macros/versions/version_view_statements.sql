{% macro version_view_statements(schema, table, versions, aliases={}, sources={}, writer=none) %}
    {#- `drop view if exists` + `create view` statements for each shape (not CREATE OR REPLACE:
        PostgreSQL refuses it when a column changes type or place, as the views a previous
        migration of the table left do in the next one), e.g. {'v1': [[name, physical], ...]}:
        `<table>_<version>` selects each physical column under the name readers of that shape
        use, from the one physical table, so both shapes are readable (and, on PostgreSQL, writable:
        simple views are updatable) side by side. `aliases` ({view name: version}) add views under
        other names, e.g. the table's new name before a rename. `sources` ({version: table}) reads a
        version from another table (a rewrite's new table). `writer` ({version, new_columns, key}):
        while the sync trigger runs, that version's views take writes through INSTEAD OF triggers
        (shape_writer_statements), in the same transaction as the views. -#}
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
    {% if writer and writer.version in versions %}
        {% set writing = [table ~ '_' ~ writer.version] %}
        {% for name, version in aliases.items() if version == writer.version %}{% do writing.append(name) %}{% endfor %}
        {% do statements.extend(expand_contract.shape_writer_statements(schema, table, writing, writer)) %}
    {% endif %}
    {{ return(statements) }}
{% endmacro %}

{% macro create_table_statements(schema, spec) %}
    {#- `create table if not exists` for a create_table operation, then its column comments: each
        column a type, or a definition ({type, not_null, default, identity, unique, check,
        parent_table / parent_columns (references), on_delete, comment}); the primary key; named
        checks, unique constraints and foreign keys ({name, columns, parent_table, parent_columns,
        on_delete}). All declared while the table is empty, in the expand's transaction. -#}
    {% set q = adapter.quote %}
    {% set relation = expand_contract.ec_relation(schema, spec.table) %}
    {% set parts, comments = [], [] %}
    {% for name, column in spec.columns.items() %}
        {% if column is string %}
            {% do parts.append(q(name) ~ ' ' ~ column) %}
        {% else %}
            {% do parts.append(q(name) ~ ' ' ~ column.type
                ~ (' generated ' ~ column.identity ~ ' as identity' if column.identity else '')
                ~ (' not null' if column.not_null else '')
                ~ (' default ' ~ column.default if column.default is not none else '')
                ~ (' unique' if column.unique else '')
                ~ (' check (' ~ column.check ~ ')' if column.check else '')
                ~ (' references ' ~ expand_contract.ec_referenced(schema, column.parent_table) ~ ' ('
                   ~ expand_contract.quote_all(column.parent_columns) | join(', ') ~ ')'
                   ~ (' on delete ' ~ column.on_delete if column.on_delete != 'no action' else '')
                   if column.get('parent_table') else '')) %}
            {% if column.comment is not none %}
                {% do comments.append('comment on column ' ~ relation ~ '.' ~ q(name) ~ ' is ' ~ expand_contract.sql_literal(column.comment)) %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {% if spec.primary_key %}
        {% do parts.append('primary key (' ~ expand_contract.quote_all(spec.primary_key) | join(', ') ~ ')') %}
    {% endif %}
    {% for check in spec.get('checks', []) %}
        {% do parts.append('constraint ' ~ q(check.name) ~ ' check (' ~ check.check ~ ')') %}
    {% endfor %}
    {% for unique in spec.get('uniques', []) %}
        {% do parts.append('constraint ' ~ q(unique.name) ~ ' unique (' ~ expand_contract.quote_all(unique.columns) | join(', ') ~ ')') %}
    {% endfor %}
    {% for fk in spec.get('foreign_keys', []) %}
        {% do parts.append('constraint ' ~ q(fk.name) ~ ' '
            ~ expand_contract.foreign_key_clause(schema, fk.columns, fk.parent_table, fk.parent_columns, fk.on_delete)) %}
    {% endfor %}
    {{ return(['create table if not exists ' ~ relation ~ ' (' ~ parts | join(', ') ~ ')'] + comments) }}
{% endmacro %}

{% macro rewrite_table_statement(schema, rewrite) %}
    {#- `create table if not exists` for a rewrite_table's new table, the whole new shape declared
        while it is empty (so no constraint ever scans rows): each column with its type, NOT NULL and
        default, the primary key, the checks, the unique constraints (a name of none: unnamed), the
        foreign keys, and constraints given whole (`constraints`: {name, definition}). -#}
    {% set q = adapter.quote %}
    {% set parts = [] %}
    {% for column in rewrite.columns %}
        {% do parts.append(q(column.name) ~ ' ' ~ column.data_type
            ~ (' not null' if column.not_null else '')
            ~ (' default ' ~ column.default if column.default is not none else '')) %}
    {% endfor %}
    {% do parts.append('primary key (' ~ expand_contract.quote_all(rewrite.primary_key) | join(', ') ~ ')') %}
    {% for check in rewrite.checks %}
        {% do parts.append('constraint ' ~ q(check.name) ~ ' check (' ~ check.check ~ ')') %}
    {% endfor %}
    {% for unique in rewrite.uniques %}
        {% do parts.append(('constraint ' ~ q(unique.name) ~ ' ' if unique.name else '') ~ 'unique ('
            ~ expand_contract.quote_all(unique.columns) | join(', ') ~ ')') %}
    {% endfor %}
    {% for constraint in rewrite.constraints %}
        {% do parts.append('constraint ' ~ q(constraint.name) ~ ' ' ~ constraint.definition) %}
    {% endfor %}
    {% for fk in rewrite.foreign_keys %}
        {% do parts.append('constraint ' ~ q(fk.name) ~ ' '
            ~ expand_contract.foreign_key_clause(schema, fk.columns, fk.parent_table, fk.parent_columns, fk.on_delete)) %}
    {% endfor %}
    {{ return('create table if not exists ' ~ expand_contract.ec_relation(schema, rewrite.table) ~ ' (' ~ parts | join(', ') ~ ')') }}
{% endmacro %}

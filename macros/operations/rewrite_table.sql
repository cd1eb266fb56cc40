{% macro rewrite_table_statement(schema, rewrite) %}
    {#- `create table if not exists` for a rewrite_table's new table, the whole new shape declared
        while it is empty (so no constraint ever scans rows): each column with its type, NOT NULL and
        default, the primary key, the checks and the foreign keys. -#}
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
    {% for fk in rewrite.foreign_keys %}
        {% do parts.append('constraint ' ~ q(fk.name) ~ ' foreign key (' ~ q(fk.column) ~ ') references '
            ~ expand_contract.ec_relation(schema, fk.parent_table) ~ ' (' ~ q(fk.parent_column) ~ ')'
            ~ (' on delete ' ~ fk.on_delete if fk.on_delete != 'no action' else '')) %}
    {% endfor %}
    {{ return('create table if not exists ' ~ expand_contract.ec_relation(schema, rewrite.table) ~ ' (' ~ parts | join(', ') ~ ')') }}
{% endmacro %}

{% macro backfill_batch_statement(relation, assignments, copy_into, where) %}
    {#- The statement of one backfill batch over the rows of `relation` chosen by `where`: an UPDATE
        setting `assignments` ({column: [expression, data_type]}) in place, or, for a rewrite
        (`copy_into`: {table, primary_key, columns: [{name, expression, data_type}], lock_rows}), an
        INSERT ... SELECT into the new table that leaves rows a sync trigger already copied alone.
        `lock_rows` (writers present) reads the batch FOR SHARE, so a row deleted or updated
        meanwhile is copied after that write, never before it. -#}
    {% if copy_into %}
        {% set computed = expand_contract.computed_columns(copy_into.columns) %}
        {% set target = expand_contract.ec_relation(relation.schema, copy_into.table) %}
        {{ return('insert into ' ~ target ~ ' (' ~ computed.names | join(', ') ~ ') select ' ~ computed.casts | join(', ')
            ~ ' from ' ~ relation ~ ' ' ~ where ~ (' for share' if copy_into.lock_rows else '')
            ~ ' on conflict (' ~ expand_contract.quote_all(copy_into.primary_key) | join(', ') ~ ') do nothing') }}
    {% endif %}
    {% set sets = [] %}
    {% for column, spec in assignments.items() %}
        {% do sets.append(adapter.quote(column) ~ ' = cast((' ~ spec[0] ~ ') as ' ~ spec[1] ~ ')') %}
    {% endfor %}
    {{ return('update ' ~ relation ~ ' set ' ~ sets | join(', ') ~ ' ' ~ where) }}
{% endmacro %}

{% macro computed_columns(columns) %}
    {#- For columns computed from another row ([{name, expression, data_type}]): their quoted names
        and their values, each expression cast to its type; what a copy or a sync writes. -#}
    {% set names, values = [], [] %}
    {% for column in columns %}
        {% do names.append(adapter.quote(column.name)) %}
        {% do values.append('cast((' ~ column.expression ~ ') as ' ~ column.data_type ~ ')') %}
    {% endfor %}
    {{ return({'names': names, 'casts': values}) }}
{% endmacro %}

{% macro backfill_batch_statement(relation, assignments, copy_into, where) %}
    {#- The statement of one backfill batch over the rows of `relation` chosen by `where`: an UPDATE
        setting `assignments` ({column: [expression, data_type]}) in place, or, for a rewrite
        (`copy_into`: {table, schema (default: the relation's), primary_key, columns: [{name, expression, data_type}], lock_rows}), an
        INSERT ... SELECT into the new table that leaves rows a sync trigger already copied alone.
        `lock_rows` (writers present) reads the batch FOR SHARE, so a row deleted or updated
        meanwhile is copied after that write, never before it. -#}
    {% if copy_into %}
        {% set computed = expand_contract.computed_columns(copy_into.columns) %}
        {% set target = expand_contract.ec_relation(copy_into.schema or relation.schema, copy_into.table) %}
        {{ return('insert into ' ~ target ~ ' (' ~ computed.names | join(', ') ~ ') select ' ~ computed.casts | join(', ')
            ~ ' from ' ~ relation ~ ' ' ~ where ~ (' for share' if copy_into.lock_rows else '')
            ~ ' on conflict (' ~ expand_contract.quote_all(copy_into.primary_key) | join(', ') ~ ') do nothing') }}
    {% endif %}
    {% set sets = [] %}
    {% for column, spec in assignments.items() %}
        {% do sets.append(adapter.quote(column) ~ ' = ' ~ expand_contract.assign_cast(spec[0], spec[1])) %}
    {% endfor %}
    {{ return('update ' ~ relation ~ ' set ' ~ sets | join(', ') ~ ' ' ~ where) }}
{% endmacro %}

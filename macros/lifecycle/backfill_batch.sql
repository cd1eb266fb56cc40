{% macro backfill_batch(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, committed_at, meta_schema=none) %}
    {#- One keyset batch: the next `batch_size` keys after `after_key` (a list, one value per key
        column; none for the first batch) get `assignments` ({column: [expression, data_type]}),
        and the checkpoint row is written in the same transaction, so a crash loses nothing and
        a resumed backfill never redoes a committed batch. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set lit = expand_contract.sql_literal %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set keys_desc = [] %}
    {% for k in keys %}{% do keys_desc.append(k ~ ' desc') %}{% endfor %}
    {% set key_tuple = '(' ~ keys | join(', ') ~ ')' %}
    {% set lower_filter = '' %}
    {% if after_key is not none %}
        {% set lower_filter = 'where ' ~ key_tuple ~ ' > (' ~ expand_contract.sql_literal_list(after_key) ~ ')' %}
    {% endif %}
    {% set bound_sql %}
        with batch as (
            select {{ keys | join(', ') }} from {{ relation }} {{ lower_filter }}
            order by {{ keys | join(', ') }} limit {{ batch_size | int }}
        )
        select {{ keys | join(', ') }}, (select count(*) from batch) as batch_rows
        from batch order by {{ keys_desc | join(', ') }} limit 1
    {% endset %}
    {% set bound = expand_contract.rows_as_dicts(run_query(bound_sql)) %}
    {% if bound | length == 0 %}
        {% do expand_contract.emit_result({'rows': 0, 'last_key': after_key, 'done': true}) %}
        {{ return(none) }}
    {% endif %}
    {% set upper = [] %}
    {% for k in key %}{% do upper.append(bound[0][k | lower]) %}{% endfor %}
    {% set rows = bound[0].batch_rows %}
    {% set sets = [] %}
    {% for column, spec in assignments.items() %}
        {% do sets.append(adapter.quote(column) ~ ' = cast((' ~ spec[0] ~ ') as ' ~ spec[1] ~ ')') %}
    {% endfor %}
    {% set upper_filter = key_tuple ~ ' <= (' ~ expand_contract.sql_literal_list(upper) ~ ')' %}
    {% set where = (lower_filter ~ ' and ' ~ upper_filter) if lower_filter else ('where ' ~ upper_filter) %}
    {% set checkpoints = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'backfill_checkpoints') %}
    {% do expand_contract.run_in_transaction([
        'update ' ~ relation ~ ' set ' ~ sets | join(', ') ~ ' ' ~ where,
        'insert into ' ~ checkpoints ~ ' (run_id, batch_no, last_key, rows_affected, committed_at) values ('
            ~ [lit(run_id), lit(batch_no), lit(tojson(upper)), lit(rows), 'cast(' ~ lit(committed_at) ~ ' as timestamp)'] | join(', ') ~ ')',
    ]) %}
    {% do expand_contract.emit_result({'rows': rows, 'last_key': upper, 'done': rows < batch_size | int}) %}
{% endmacro %}

{% macro backfill_batches(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches=1, max_seconds=none, pause_seconds=0, rows_done=0, rows_total=none, meta_schema=none, copy_into=none) %}
    {{ return(adapter.dispatch('backfill_batches', 'expand_contract')(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches, max_seconds, pause_seconds, rows_done, rows_total, meta_schema or var('expand_contract_meta_schema'), copy_into)) }}
{% endmacro %}

{% macro default__backfill_batches(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches, max_seconds, pause_seconds, rows_done, rows_total, meta_schema, copy_into) %}
    {#- Keyset backfill: up to `max_batches` batches (or until `max_seconds` have passed), each the
        next `batch_size` keys after `after_key` (a list, one value per key column; none for the
        first), setting `assignments` ({column: [expression, data_type]}), or copying them into a
        rewrite's new table (`copy_into`, see backfill_batch_statement). Every batch is its own
        transaction, with its checkpoint row written in it, so a crash loses nothing and a resumed
        backfill never redoes a committed batch. Emits {batches: [{batch_no, rows, last_key,
        seconds}], done}. DuckDB cannot sleep inside a call: the harness pauses between calls
        instead (`pause_seconds` must be 0 here). -#}
    {% if pause_seconds %}
        {% do exceptions.raise_compiler_error('pause_seconds is not supported on ' ~ adapter.type() ~ ': pause between calls') %}
    {% endif %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set lit = expand_contract.sql_literal %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set keys_desc = [] %}
    {% for k in keys %}{% do keys_desc.append(k ~ ' desc') %}{% endfor %}
    {% set checkpoints = expand_contract.ec_relation(meta_schema, 'backfill_checkpoints') %}
    {% set now = modules.datetime.datetime.utcnow %}
    {% set started = now() %}
    {% set state = {'after': after_key, 'batch_no': batch_no | int, 'done': false, 'rows_done': rows_done | int} %}
    {% set batches = [] %}
    {% for _ in range(max_batches | int) %}
        {% if not state.done and (max_seconds is none or (now() - started).total_seconds() < max_seconds) %}
            {% set clock = now() %}
            {% set lower_filter = '' %}
            {% if state.after is not none %}
                {% set lower_filter = 'where ' ~ expand_contract.keyset_predicate(keys, state.after, '>') %}
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
                {% do state.update({'done': true}) %}
            {% else %}
                {% set upper = [] %}
                {% for k in key %}{% do upper.append(bound[0][k | lower]) %}{% endfor %}
                {% set rows = bound[0].batch_rows | int %}
                {% set upper_filter = expand_contract.keyset_predicate(keys, upper, '<=') %}
                {% set where = (lower_filter ~ ' and ' ~ upper_filter) if lower_filter else ('where ' ~ upper_filter) %}
                {% do expand_contract.run_in_transaction(expand_contract.backfill_marker_statements() + [
                    expand_contract.backfill_batch_statement(relation, assignments, copy_into, where),
                    'insert into ' ~ checkpoints ~ ' (run_id, batch_no, last_key, rows_affected, committed_at) values ('
                        ~ [lit(run_id), lit(state.batch_no), lit(tojson(upper)), lit(rows), 'cast(' ~ lit(now() | string) ~ ' as timestamp)'] | join(', ') ~ ')',
                ]) %}
                {% set seconds = (now() - clock).total_seconds() %}
                {% do batches.append({'batch_no': state.batch_no, 'rows': rows, 'last_key': upper, 'seconds': seconds}) %}
                {% do state.update({'rows_done': state.rows_done + rows}) %}
                {% do expand_contract.log_backfill_progress(table, state.batch_no, rows, seconds, state.rows_done, rows_total) %}
                {% do state.update({'after': upper, 'batch_no': state.batch_no + 1, 'done': rows < batch_size | int}) %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {% do expand_contract.emit_result({'batches': batches, 'done': state.done}) %}
{% endmacro %}

{% macro backfill_marker_statements() %}
    {{ return(adapter.dispatch('backfill_marker_statements', 'expand_contract')()) }}
{% endmacro %}

{% macro default__backfill_marker_statements() %}
    {{ return([]) }}
{% endmacro %}

{% macro postgres__backfill_marker_statements() %}
    {#- Marks the backfill's transaction so the sync trigger leaves its updates alone. -#}
    {{ return(["set local expand_contract.backfill = 'on'"]) }}
{% endmacro %}

{% macro backfill_batches(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches=1, max_seconds=none, pause_seconds=0, rows_done=0, rows_total=none, meta_schema=none, copy_into=none, until_key=none, batch_seconds=none, batch_limits=none) %}
    {{ return(adapter.dispatch('backfill_batches', 'expand_contract')(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches, max_seconds, pause_seconds, rows_done, rows_total, meta_schema or var('expand_contract_meta_schema'), copy_into, until_key, batch_seconds, batch_limits)) }}
{% endmacro %}

{% macro default__backfill_batches(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches, max_seconds, pause_seconds, rows_done, rows_total, meta_schema, copy_into, until_key, batch_seconds, batch_limits) %}
    {#- Keyset backfill: up to `max_batches` batches (or until `max_seconds` have passed), each the
        next `batch_size` keys after `after_key` (a list, one value per key column; none for the
        first), setting `assignments` ({column: [expression, data_type]}), or copying them into a
        rewrite's new table (`copy_into`, see backfill_batch_statement). Every batch is its own
        transaction, with its checkpoint row written in it, so a crash loses nothing and a resumed
        backfill never redoes a committed batch. Emits {batches: [{batch_no, rows, last_key,
        seconds}], done, batch_size}. DuckDB cannot sleep inside a call: the harness pauses between
        calls instead (`pause_seconds` must be 0 here); its batches keep `batch_size` (one writer
        per file: no concurrent writer to make room for), whatever `batch_seconds` says. -#}
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
            {% set filters = [] %}
            {% if state.after is not none %}{% do filters.append(expand_contract.keyset_predicate(keys, state.after, '>')) %}{% endif %}
            {% if until_key is not none %}{% do filters.append(expand_contract.keyset_predicate(keys, until_key, '<=')) %}{% endif %}
            {% set lower_filter = ('where ' ~ filters | join(' and ')) if filters else '' %}
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
    {% do expand_contract.emit_result({'batches': batches, 'done': state.done, 'batch_size': batch_size | int}) %}
{% endmacro %}

{% macro postgres__backfill_batches(schema, table, key, assignments, after_key, batch_size, run_id, batch_no, max_batches, max_seconds, pause_seconds, rows_done, rows_total, meta_schema, copy_into, until_key, batch_seconds, batch_limits) %}
    {#- PostgreSQL: the batch loop runs in the server, as one DO block that COMMITs after each
        batch (each batch and its checkpoint row one transaction), so a batch costs what its
        UPDATE costs, not a client round trip per statement. It continues after this run's last
        checkpoint as the table says (not as the caller remembers), under an advisory lock per
        run: a backend orphaned by a killed harness finishes its batch before a resumed one starts,
        and no batch is ever done twice. `after_key` is not used here; `batch_no` selects the
        batches reported back.
        `pause_seconds` sleeps between batches (outside any transaction: no lock is held).
        Each batch commits with `synchronous_commit = off` (it does not wait for its WAL flush: a
        batch lost in a server crash lost its checkpoint with it, and is simply run again).
        With `batch_seconds`, the batch size steers itself towards that time per batch (writers
        wait at most about that long for a row the batch holds): after each batch it is scaled by
        target / measured time, at most halved or doubled at once, within `batch_limits` ([smallest,
        largest]; default 100..100,000 rows, or `batch_size` if outside them); the size reached is
        emitted for the next call, which passes it back as its `batch_size`. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set checkpoints = expand_contract.ec_relation(meta_schema, 'backfill_checkpoints') %}
    {% set lit = expand_contract.sql_literal %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set lo, hi, hi_into, keys_desc, lo_from_json = [], [], [], [], [] %}
    {% for k in keys %}
        {% do lo.append('lo_' ~ loop.index) %}
        {% do hi.append('hi_' ~ loop.index) %}
        {% do keys_desc.append(k ~ ' desc') %}
        {% do lo_from_json.append('lo_' ~ loop.index ~ ' := last.last_key::json ->> ' ~ loop.index0 ~ ';') %}
    {% endfor %}
    {% set key_list = keys | join(', ') %}
    {% set lock_key = lit('expand_contract_backfill:' ~ run_id) %}
    {#- `until_key`: keys after it were written since the backfill started (see last_key). -#}
    {% set bounded = (' and (' ~ key_list ~ ') <= (' ~ expand_contract.sql_literal_list(until_key) ~ ')') if until_key is not none else '' %}
    {% set after = '(' ~ key_list ~ ') > (' ~ lo | join(', ') ~ ')' ~ bounded %}
    {% set up_to = '(' ~ key_list ~ ') <= (' ~ hi | join(', ') ~ ')' %}
    {% set next_sql %}
        select {{ key_list }} into {{ hi | join(', ') }} from {{ relation }} where {where}
        order by {{ key_list }} offset size - 1 limit 1;
        if not found then  -- the last, partial batch: up to the last key
            select {{ key_list }} into {{ hi | join(', ') }} from {{ relation }} where {where}
            order by {{ keys_desc | join(', ') }} limit 1;
            exit when not found;
            final := true;
        end if;
    {% endset %}
    {% set block %}
do $ec_backfill$
declare
    {% for k in key %}{% set column = adapter.quote(schema) ~ '.' ~ adapter.quote(table) ~ '.' ~ adapter.quote(k) %}lo_{{ loop.index }} {{ column }}%type; hi_{{ loop.index }} {{ column }}%type;
    {% endfor %}
    has_lo boolean := false;
    final boolean := false;
    n bigint;
    batch integer := 1;
    started timestamptz := clock_timestamp();
    batch_started timestamptz;
    size integer := {{ batch_size | int }};
    last record;
begin
    select batch_no, last_key into last from {{ checkpoints }}
    where run_id = {{ lit(run_id) }} order by batch_no desc limit 1;
    if found then
        batch := last.batch_no + 1;
        has_lo := true;
        {{ lo_from_json | join('\n        ') }}
    end if;
    for i in 1..{{ max_batches | int }} loop
        batch_started := clock_timestamp();
        perform set_config('expand_contract.backfill', 'on', true);
        perform set_config('lock_timeout', {{ lit(var('expand_contract_lock_timeout', '2s')) }}, true);
        perform set_config('synchronous_commit', 'off', true);
        {#- Two spellings, so each statement's plan is a plain range scan of the key's index. #}
        if has_lo then
            {{ next_sql | replace('{where}', after) }}
            {{ expand_contract.backfill_batch_statement(relation, assignments, copy_into, 'where ' ~ after ~ ' and ' ~ up_to) }};
        else
            {{ next_sql | replace('{where}', 'true' ~ bounded) }}
            {{ expand_contract.backfill_batch_statement(relation, assignments, copy_into, 'where ' ~ up_to) }};
        end if;
        get diagnostics n = row_count;
        insert into {{ checkpoints }} (run_id, batch_no, last_key, rows_affected, committed_at)
        values ({{ lit(run_id) }}, batch, json_build_array({{ hi | join(', ') }})::text, n, clock_timestamp()::timestamp);
        commit;
        {% if batch_seconds %}{% set smallest, largest = (batch_limits or [[100, batch_size | int] | min, [100000, batch_size | int] | max]) | map('int') %}
        size := least(greatest(round(size * least(greatest({{ batch_seconds | float }}
                / greatest(extract(epoch from clock_timestamp() - batch_started), 0.0005), 0.5), 2.0)), {{ smallest }}), {{ largest }});
        perform set_config('expand_contract.batch_size', size::text, false);
        {% endif %}
        batch := batch + 1;
        has_lo := true;
        {% for k in key %}lo_{{ loop.index }} := hi_{{ loop.index }}; {% endfor %}
        exit when final;
        {% if pause_seconds %}perform pg_sleep({{ pause_seconds | float }});  -- throttling: writers get the machine{% endif %}
        {% if max_seconds is not none %}exit when clock_timestamp() - started > interval '{{ max_seconds }} seconds';{% endif %}
    end loop;
end
$ec_backfill$
    {% endset %}
    {% set now = modules.datetime.datetime.utcnow %}
    {% set clock = now() %}
    {#- If the harness dies (kill -9), the server stops the block within 100 ms (PostgreSQL 14+; set
        before the statement, which arms the check) instead of finishing the call's batches. -#}
    {% do run_query("select set_config('client_connection_check_interval', '100ms', false)"
        ~ " where current_setting('server_version_num')::int >= 140000") %}
    {% do run_query('select pg_advisory_lock(hashtext(' ~ lock_key ~ '))') %}
    {% do run_query(block) %}
    {% do run_query('select pg_advisory_unlock(hashtext(' ~ lock_key ~ '))') %}
    {% set seconds = (now() - clock).total_seconds() %}
    {% set rows = expand_contract.rows_as_dicts(run_query(
        'select batch_no, last_key, rows_affected from ' ~ checkpoints ~ ' where run_id = ' ~ lit(run_id)
        ~ ' and batch_no >= ' ~ (batch_no | int) ~ ' order by batch_no')) %}
    {% set batches = [] %}
    {% set progress = {'rows_done': rows_done | int} %}
    {% for row in rows %}
        {% set share = seconds / (rows | length) %}
        {% do batches.append({'batch_no': row.batch_no, 'rows': row.rows_affected, 'last_key': fromjson(row.last_key), 'seconds': share}) %}
        {% do progress.update({'rows_done': progress.rows_done + row.rows_affected}) %}
        {% do expand_contract.log_backfill_progress(table, row.batch_no, row.rows_affected, share, progress.rows_done, rows_total) %}
    {% endfor %}
    {#- Done when no key is left after the last checkpoint (whatever the batches' row counts). -#}
    {% set last = expand_contract.rows_as_dicts(run_query('select last_key from ' ~ checkpoints ~ ' where run_id = ' ~ lit(run_id)
        ~ ' order by batch_no desc limit 1')) %}
    {% set done = true %}
    {% if last %}
        {% set remaining = run_query('select exists (select 1 from ' ~ relation ~ ' where (' ~ key_list ~ ') > ('
            ~ expand_contract.sql_literal_list(fromjson(last[0].last_key)) ~ ')' ~ bounded ~ ')') %}
        {% set done = not remaining.rows[0][0] %}
    {% endif %}
    {% set size = run_query("select coalesce(nullif(current_setting('expand_contract.batch_size', true), ''), "
        ~ lit(batch_size | string) ~ ')').rows[0][0] if batch_seconds else batch_size %}
    {% do expand_contract.emit_result({'batches': batches, 'done': done, 'batch_size': size | int}) %}
{% endmacro %}

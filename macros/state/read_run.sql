{% macro read_run(migration, meta_schema=none) %}
    {#- The latest run of a migration with its steps, snapshots and last backfill checkpoint (with the
        rows done so far and when the first and last batches committed: the progress); none if never run. -#}
    {% set meta_schema = meta_schema or var('expand_contract_meta_schema') %}
    {% set lit = expand_contract.sql_literal %}
    {% set runs = expand_contract.ec_relation(meta_schema, 'migration_runs') %}
    {% if not adapter.get_relation(database=target.database, schema=meta_schema, identifier='migration_runs') %}
        {% do expand_contract.emit_result(none) %}
        {{ return(none) }}
    {% endif %}
    {% set found = expand_contract.rows_as_dicts(run_query(
        'select run_id, migration, relation, state, spec_hash, backup_relation,
                cast(created_at as varchar) as created_at, cast(updated_at as varchar) as updated_at, note
         from ' ~ runs ~ ' where migration = ' ~ lit(migration) ~ ' order by created_at desc, run_id desc limit 1'
    )) %}
    {% if found | length == 0 %}
        {% do expand_contract.emit_result(none) %}
        {{ return(none) }}
    {% endif %}
    {% set run = found[0] %}
    {% set run_id = lit(run.run_id) %}
    {% do run.update({'steps': expand_contract.rows_as_dicts(run_query(
        'select step, status, cast(started_at as varchar) as started_at, cast(finished_at as varchar) as finished_at,
                seconds, rows_affected, checksum, detail, figures
         from ' ~ expand_contract.ec_relation(meta_schema, 'migration_steps') ~ '
         where run_id = ' ~ run_id ~ ' order by started_at, finished_at'
    ))}) %}
    {% do run.update({'snapshots': expand_contract.rows_as_dicts(run_query(
        'select label, payload from ' ~ expand_contract.ec_relation(meta_schema, 'migration_snapshots') ~ '
         where run_id = ' ~ run_id
    ))}) %}
    {% set checkpoint_relation = expand_contract.ec_relation(meta_schema, 'backfill_checkpoints') %}
    {% set checkpoints = expand_contract.rows_as_dicts(run_query(
        'select batch_no, last_key, rows_affected, cast(committed_at as varchar) as committed_at,
                (select sum(rows_affected) from ' ~ checkpoint_relation ~ ' where run_id = ' ~ run_id ~ ') as rows_done,
                (select cast(min(committed_at) as varchar) from ' ~ checkpoint_relation ~ ' where run_id = ' ~ run_id
                ~ ') as first_committed_at
         from ' ~ checkpoint_relation ~ ' where run_id = ' ~ run_id ~ ' order by batch_no desc limit 1'
    )) %}
    {% do run.update({'last_checkpoint': checkpoints[0] if checkpoints else none}) %}
    {% do expand_contract.emit_result(run) %}
    {{ return(run) }}
{% endmacro %}

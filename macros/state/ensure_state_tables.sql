{% macro ensure_state_tables(meta_schema=none) %}
    {% set meta_schema = meta_schema or var('expand_contract_meta_schema') %}
    {% do adapter.create_schema(api.Relation.create(database=target.database, schema=meta_schema)) %}
    {% set runs = expand_contract.ec_relation(meta_schema, 'migration_runs') %}
    {% set steps = expand_contract.ec_relation(meta_schema, 'migration_steps') %}
    {% set snapshots = expand_contract.ec_relation(meta_schema, 'migration_snapshots') %}
    {% set checkpoints = expand_contract.ec_relation(meta_schema, 'backfill_checkpoints') %}
    {% do run_query(
        'create table if not exists ' ~ runs ~ ' (
            run_id varchar not null, migration varchar not null, relation varchar not null,
            state varchar not null, spec_hash varchar, backup_relation varchar,
            created_at timestamp, updated_at timestamp, note varchar);
        create table if not exists ' ~ steps ~ ' (
            run_id varchar not null, step varchar not null, status varchar not null,
            started_at timestamp, finished_at timestamp, seconds double precision,
            rows_affected bigint, checksum varchar, detail varchar, figures varchar);
        create table if not exists ' ~ snapshots ~ ' (
            run_id varchar not null, label varchar not null, relation varchar not null,
            row_count bigint, table_checksum varchar, payload varchar, taken_at timestamp);
        create table if not exists ' ~ checkpoints ~ ' (
            run_id varchar not null, batch_no integer not null, last_key varchar,
            rows_affected bigint, committed_at timestamp,
            primary key (run_id, batch_no));
        alter table ' ~ steps ~ ' add column if not exists figures varchar'
    ) %}
    {% do expand_contract.emit_result({'meta_schema': meta_schema}) %}
{% endmacro %}

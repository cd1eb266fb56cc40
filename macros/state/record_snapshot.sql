{% macro record_snapshot(run_id, label, snapshot, meta_schema=none) %}
    {#- Stores a table snapshot (count, table and per-column checksums) under a label such as `before`. -#}
    {% set snapshots = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'migration_snapshots') %}
    {% set lit = expand_contract.sql_literal %}
    {% do expand_contract.run_in_transaction([
        'delete from ' ~ snapshots ~ ' where run_id = ' ~ lit(run_id) ~ ' and label = ' ~ lit(label),
        'insert into ' ~ snapshots ~ ' (run_id, label, relation, row_count, table_checksum, payload, taken_at)
         values (' ~ [lit(run_id), lit(label), lit(snapshot.relation), lit(snapshot.row_count),
                    lit(snapshot.table_checksum), lit(tojson(snapshot)),
                    'cast(' ~ lit(snapshot.taken_at) ~ ' as timestamp)'] | join(', ') ~ ')'
    ]) %}
{% endmacro %}

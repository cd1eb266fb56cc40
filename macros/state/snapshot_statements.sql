{% macro snapshot_statements(meta_schema, run_id, label, snapshot) %}
    {#- The statements that store a snapshot under a label, replacing an older one with the same label. -#}
    {% set snapshots = expand_contract.ec_relation(meta_schema, 'migration_snapshots') %}
    {% set lit = expand_contract.sql_literal %}
    {{ return([
        'delete from ' ~ snapshots ~ ' where run_id = ' ~ lit(run_id) ~ ' and label = ' ~ lit(label),
        'insert into ' ~ snapshots ~ ' (run_id, label, relation, row_count, table_checksum, payload, taken_at)
         values (' ~ [lit(run_id), lit(label), lit(snapshot.relation), lit(snapshot.row_count),
                    lit(snapshot.table_checksum), lit(tojson(snapshot)),
                    'cast(' ~ lit(snapshot.taken_at) ~ ' as timestamp)'] | join(', ') ~ ')'
    ]) }}
{% endmacro %}

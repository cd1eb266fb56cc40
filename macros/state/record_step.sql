{% macro record_step(run_id, step, status, started_at, finished_at, seconds, rows_affected=none, checksum=none, detail=none, meta_schema=none) %}
    {#- One line of the migration's journal: what ran, when, how long, on how many rows, with what result. -#}
    {% set steps = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'migration_steps') %}
    {% set lit = expand_contract.sql_literal %}
    {% do run_query(
        'insert into ' ~ steps ~ ' (run_id, step, status, started_at, finished_at, seconds, rows_affected, checksum, detail)
         values (' ~ [lit(run_id), lit(step), lit(status),
                    'cast(' ~ lit(started_at) ~ ' as timestamp)', 'cast(' ~ lit(finished_at) ~ ' as timestamp)',
                    lit(seconds), lit(rows_affected), lit(checksum), lit(detail)] | join(', ') ~ ')'
    ) %}
{% endmacro %}

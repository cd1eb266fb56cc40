{% macro record_run(run_id, migration, relation, state, spec_hash, at, meta_schema=none) %}
    {#- A new run of a migration, in its first state. -#}
    {% set runs = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'migration_runs') %}
    {% set lit = expand_contract.sql_literal %}
    {% do run_query(
        'insert into ' ~ runs ~ ' (run_id, migration, relation, state, spec_hash, created_at, updated_at)
         values (' ~ [lit(run_id), lit(migration), lit(relation), lit(state), lit(spec_hash),
                    'cast(' ~ lit(at) ~ ' as timestamp)', 'cast(' ~ lit(at) ~ ' as timestamp)'] | join(', ') ~ ')'
    ) %}
{% endmacro %}

{% macro set_run_state(run_id, state, at, note=none, backup_relation=none, meta_schema=none) %}
    {#- Moves a run to a new lifecycle state; `note` says why (kept until the next change). -#}
    {% set runs = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'migration_runs') %}
    {% set lit = expand_contract.sql_literal %}
    {% set assignments = [
        'state = ' ~ lit(state),
        'updated_at = cast(' ~ lit(at) ~ ' as timestamp)',
        'note = ' ~ lit(note),
    ] %}
    {% if backup_relation is not none %}
        {% do assignments.append('backup_relation = ' ~ lit(backup_relation)) %}
    {% endif %}
    {% do run_query('update ' ~ runs ~ ' set ' ~ assignments | join(', ') ~ ' where run_id = ' ~ lit(run_id)) %}
{% endmacro %}

{% macro run_state_statement(meta_schema, run_id, state, at, note=none, backup_relation=none) %}
    {#- The UPDATE that moves a run to `state` (with its note, and the backup once there is one). -#}
    {% set runs = expand_contract.ec_relation(meta_schema, 'migration_runs') %}
    {% set lit = expand_contract.sql_literal %}
    {% set assignments = [
        'state = ' ~ lit(state),
        'updated_at = cast(' ~ lit(at) ~ ' as timestamp)',
        'note = ' ~ lit(note),
    ] %}
    {% if backup_relation is not none %}
        {% do assignments.append('backup_relation = ' ~ lit(backup_relation)) %}
    {% endif %}
    {{ return('update ' ~ runs ~ ' set ' ~ assignments | join(', ') ~ ' where run_id = ' ~ lit(run_id)) }}
{% endmacro %}

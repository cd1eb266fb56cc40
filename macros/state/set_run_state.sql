{% macro set_run_state(run_id, state, at, note=none, backup_relation=none, meta_schema=none) %}
    {#- Moves a run to a new lifecycle state; `note` says why (kept until the next change). -#}
    {% do run_query(expand_contract.run_state_statement(meta_schema or var('expand_contract_meta_schema'), run_id, state, at, note, backup_relation)) %}
{% endmacro %}

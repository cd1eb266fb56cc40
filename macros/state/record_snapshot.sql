{% macro record_snapshot(run_id, label, snapshot, meta_schema=none) %}
    {#- Stores a table snapshot (count, table and per-column checksums) under a label such as `before`. -#}
    {% do expand_contract.run_in_transaction(expand_contract.snapshot_statements(meta_schema or var('expand_contract_meta_schema'), run_id, label, snapshot)) %}
{% endmacro %}

{% macro copy_table(source_schema, source_table, destination_schema, destination_table) %}
    {#- Copies a table (data and, where the adapter can, its definition) in one transaction,
        replacing the destination. Used for backups, their verification and restores. -#}
    {% do adapter.create_schema(api.Relation.create(database=target.database, schema=destination_schema)) %}
    {% set source = expand_contract.ec_relation(source_schema, source_table) %}
    {% set destination = expand_contract.ec_relation(destination_schema, destination_table) %}
    {% do expand_contract.run_in_transaction(expand_contract.copy_table_statements(source, destination)) %}
    {% do expand_contract.emit_result({'destination': destination_schema ~ '.' ~ destination_table}) %}
{% endmacro %}

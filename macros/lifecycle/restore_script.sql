{% macro restore_script(schema, table, backup_schema, backup_table, views) %}
    {#- Emits (does not run) the statements of a self-contained, idempotent restore: drop the
        migration's views, then replace the table by the backup's copy in one transaction. The
        harness writes them to a file that psql or the DuckDB CLI runs without the harness. -#}
    {% set statements = [] %}
    {% for name in views %}
        {% do statements.append('drop view if exists ' ~ api.Relation.create(
            database=target.database, schema=schema, identifier=name, type='view')) %}
    {% endfor %}
    {% set copy = expand_contract.copy_table_statements(
        expand_contract.ec_relation(backup_schema, backup_table), expand_contract.ec_relation(schema, table)) %}
    {% do statements.append(expand_contract.transaction_begin()) %}
    {% do statements.extend(copy) %}
    {% do statements.append('commit') %}
    {% do expand_contract.emit_result(statements) %}
{% endmacro %}

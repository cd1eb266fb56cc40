{% macro restore_script(schema, table, backup_schema, backup_table, views, drop_tables=[], undo=[]) %}
    {#- Emits (does not run) the statements of a self-contained, idempotent restore, as rollback
        does it: drop the migration's views, the sync trigger's function and the tables it made,
        run the raw SQL `down`s, then replace the table by the backup's copy in one transaction.
        The harness writes them to a file that psql or the DuckDB CLI runs without the harness. -#}
    {% set statements = [] %}
    {% for name in views %}
        {% do statements.append('drop view if exists ' ~ api.Relation.create(
            database=target.database, schema=schema, identifier=name, type='view')) %}
    {% endfor %}
    {% do statements.extend(expand_contract.sync_trigger_drop_statements(schema, table)) %}
    {% for name in drop_tables %}
        {% do statements.append('drop table if exists ' ~ expand_contract.ec_relation(schema, name)) %}
    {% endfor %}
    {% for sql in undo %}{% do statements.append(sql.strip().rstrip(';')) %}{% endfor %}
    {% set copy = expand_contract.copy_table_statements(
        expand_contract.ec_relation(backup_schema, backup_table), expand_contract.ec_relation(schema, table)) %}
    {% do statements.append(expand_contract.transaction_begin()) %}
    {% do statements.extend(copy) %}
    {% do statements.append('commit') %}
    {% do expand_contract.emit_result(statements) %}
{% endmacro %}

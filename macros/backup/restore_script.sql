{% macro restore_script(schema, table, backup_schema, backup_table, views, drop_tables=[], undo=[], shape=[], not_null=[], columns=[], definition=none, verify=none, set_aside={}) %}
    {#- Emits (does not run) the statements of a self-contained restore, as `harness restore
        --from-backup` does it: drop the migration's views, the sync trigger's function and the
        tables it made (those `create_table` made renamed aside instead, rows and all: `set_aside`), run the raw SQL `down`s, then put the backup's rows back into the table
        itself (restore_transactions: it keeps its identity, sequences, dependent views, foreign
        keys pointing at it and grants). The harness writes them to a file that psql or the
        DuckDB CLI runs without the harness. -#}
    {% set statements = [] %}
    {% if verify %}  {#- first: a backup changed since it was verified stops the script, nothing changed -#}
        {% do statements.append(expand_contract.backup_guard_statement(backup_schema, backup_table, verify.row_count,
                                                                        verify.table_checksum)) %}
    {% endif %}
    {% for name in views %}
        {% do statements.append('drop view if exists ' ~ api.Relation.create(
            database=target.database, schema=schema, identifier=name, type='view')) %}
    {% endfor %}
    {% do statements.extend(expand_contract.sync_trigger_drop_statements(schema, table)) %}
    {% for name, aside in set_aside.items() %}  {#- a table the migration created: renamed aside, its rows kept -#}
        {% do statements.append('alter table if exists ' ~ expand_contract.ec_relation(schema, name) ~ ' rename to '
                                ~ adapter.quote(aside)) %}
    {% endfor %}
    {% for name in drop_tables %}
        {% do statements.append('drop table if exists ' ~ expand_contract.ec_relation(schema, name)) %}
    {% endfor %}
    {% for sql in undo %}{% do statements.append(sql.strip().rstrip(';')) %}{% endfor %}
    {% if columns %}
        {% set plan = expand_contract.restore_transactions(schema, table, backup_schema, backup_table, shape, not_null,
                                                           columns, definition) %}
    {% else %}  {#- the table is gone (dropped or renamed at contract): created again from the backup -#}
        {% set plan = {'transactions': [expand_contract.copy_table_statements(expand_contract.ec_relation(backup_schema, backup_table),
                                                                              expand_contract.ec_relation(schema, table))], 'after': []} %}
    {% endif %}
    {% for transaction in plan.transactions %}
        {% do statements.append(expand_contract.transaction_begin()) %}
        {% do statements.extend(transaction) %}
        {% do statements.append('commit') %}
    {% endfor %}
    {% do statements.extend(plan.after) %}
    {% do expand_contract.emit_result(statements) %}
{% endmacro %}

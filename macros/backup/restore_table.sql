{% macro restore_table(schema, table, backup_schema, backup_table, shape, not_null, columns, definition=none, run=true) %}
    {#- Puts the backup's rows back into the table itself, keeping it (its identity, sequences,
        dependent views, foreign keys pointing at it, grants): see restore_transactions. Runs them
        (with `run`) and returns {transactions, after} either way. -#}
    {% set plan = expand_contract.restore_transactions(schema, table, backup_schema, backup_table, shape, not_null, columns,
                                                       definition) %}
    {% if run %}
        {% for transaction in plan.transactions %}{% do expand_contract.run_in_transaction(transaction) %}{% endfor %}
        {% for statement in plan.after %}{% do run_query(statement) %}{% endfor %}
    {% endif %}
    {% do expand_contract.emit_result(plan) %}
    {{ return(plan) }}
{% endmacro %}

{% macro restore_transactions(schema, table, backup_schema, backup_table, shape, not_null, columns, definition=none) %}
    {{ return(adapter.dispatch('restore_transactions', 'expand_contract')(schema, table, backup_schema, backup_table,
                                                                          shape, not_null, columns, definition)) }}
{% endmacro %}

{% macro default__restore_transactions(schema, table, backup_schema, backup_table, shape, not_null, columns, definition=none) %}
    {#- DuckDB keeps each table's CREATE statement: the table (with the indexes it has now) is
        dropped and created again from the definition journaled with the before-snapshot, then
        refilled from the backup, in one transaction; its indexes are created in a second. Column
        order, defaults, constraints and indexes are exactly as they were; views re-bind by name;
        a sequence a default calls is the database's and goes on (never back). -#}
    {% if definition is none %}
        {% do exceptions.raise_compiler_error('the run journaled no table definition (an older harness): restore '
            ~ schema ~ '.' ~ table ~ ' by hand from ' ~ backup_schema ~ '.' ~ backup_table) %}
    {% endif %}
    {% set lit = expand_contract.sql_literal %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set names = expand_contract.quote_all(columns) | join(', ') %}
    {% set found = run_query('select index_name from duckdb_indexes() where database_name = current_database()'
        ~ ' and schema_name = ' ~ lit(schema) ~ ' and table_name = ' ~ lit(table) ~ ' and sql is not null') %}
    {% set rebuild = [] %}
    {% for name in found.columns[0].values() %}
        {% do rebuild.append('drop index ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(name)) %}
    {% endfor %}
    {% do rebuild.extend(['drop table if exists ' ~ relation, definition.table,
                          'insert into ' ~ relation ~ ' (' ~ names ~ ') select ' ~ names ~ ' from '
                          ~ expand_contract.ec_relation(backup_schema, backup_table)]) %}
    {{ return({'transactions': [rebuild] + ([definition.indexes] if definition.indexes else []), 'after': []}) }}
{% endmacro %}

{% macro postgres__restore_transactions(schema, table, backup_schema, backup_table, shape, not_null, columns, definition=none) %}
    {#- One transaction: the foreign keys pointing at the table taken off (TRUNCATE refuses
        otherwise), the table emptied, reshaped (cheap: it has no rows), refilled with
        `overriding system value`, NOT NULLs set, each sequence of a restored column moved forward
        past the restored keys (never back; a column the migration added goes, with its own), the foreign keys put back NOT VALID; after it commits, each is
        validated (no lock that blocks writers). -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set names = expand_contract.quote_all(columns) | join(', ') %}
    {% set lit = expand_contract.sql_literal %}
    {% set regclass = lit(relation | string) ~ '::regclass' %}
    {% set keys = expand_contract.referencing_foreign_keys(relation) %}
    {% set sequences = expand_contract.rows_as_dicts(run_query(
        'select quote_ident(attname) as name, pg_get_serial_sequence(' ~ lit(relation | string) ~ ', attname) as sequence'
        ~ ' from pg_attribute where attrelid = ' ~ regclass ~ ' and attnum > 0 and not attisdropped'
        ~ ' and attname in (' ~ expand_contract.sql_literal_list(columns) ~ ')'
        ~ ' and pg_get_serial_sequence(' ~ lit(relation | string) ~ ', attname) is not null')) %}
    {% set transaction, after = [], [] %}
    {% for key in keys %}
        {% do transaction.append('alter table ' ~ key.child ~ ' drop constraint ' ~ key.quoted) %}
    {% endfor %}
    {% do transaction.append('truncate table ' ~ relation) %}
    {% do transaction.extend(expand_contract.alteration_statements(relation, shape)) %}
    {% do transaction.append('insert into ' ~ relation ~ ' (' ~ names ~ ') overriding system value select ' ~ names
                             ~ ' from ' ~ expand_contract.ec_relation(backup_schema, backup_table)) %}
    {% do transaction.extend(expand_contract.alteration_statements(relation, not_null)) %}
    {% for found in sequences %}
        {% do transaction.append('select setval(' ~ lit(found.sequence) ~ ', greatest((select max(' ~ found.name ~ ') from '
            ~ relation ~ '), (select last_value from ' ~ found.sequence ~ ')))') %}
    {% endfor %}
    {% for key in keys %}
        {% set was_valid = 'NOT VALID' not in key.definition %}
        {% do transaction.append('alter table ' ~ key.child ~ ' add constraint ' ~ key.quoted ~ ' ' ~ key.definition
                                 ~ (' not valid' if was_valid else '')) %}
        {% if was_valid %}{% do after.append('alter table ' ~ key.child ~ ' validate constraint ' ~ key.quoted) %}{% endif %}
    {% endfor %}
    {{ return({'transactions': [transaction], 'after': after}) }}
{% endmacro %}

{% macro archive_columns(schema, table, archive_schema, archive_table, key, columns) %}
    {#- `columns`: [{name, data_type, and source (a column of the table) or inputs (the columns a
        fingerprint covers)}]; each gets its `expression` over the table's row, and the whole list is
        emitted (the batches that copy the rows in use it). -#}
    {% set computed = [] %}
    {% for column in columns %}
        {% do computed.append({'name': column.name, 'data_type': column.data_type, 'expression':
            adapter.quote(column.source) if column.get('source') else expand_contract.fingerprint_expression(column.inputs)}) %}
    {% endfor %}
    {% do adapter.dispatch('archive_columns', 'expand_contract')(schema, table, archive_schema, archive_table, key, computed) %}
    {% do expand_contract.emit_result(computed) %}
{% endmacro %}

{% macro default__archive_columns(schema, table, archive_schema, archive_table, key, columns) %}
    {#- Before contract drops a migration's old columns: the table where their values are kept
        (the archive, `archive_schema.archive_table`: `columns`, [{name, expression, data_type}]
        computed from the table's row, the key's among them; primary key `key`), created empty;
        its rows are copied in by the backfill's batches (copy_into). No trigger on this engine:
        the harness holds the file while it copies and contracts, and a copy after a stop starts
        over (a write between the two would otherwise be missed). -#}
    {% do expand_contract.ensure_schema(archive_schema) %}
    {% do run_query('drop table if exists ' ~ expand_contract.ec_relation(archive_schema, archive_table)) %}
    {% do run_query(expand_contract.archive_table_statement(archive_schema, archive_table, key, columns)) %}
{% endmacro %}

{% macro postgres__archive_columns(schema, table, archive_schema, archive_table, key, columns) %}
    {#- PostgreSQL, writers present: the archive, and a row trigger on the table that keeps it
        current from now on (an insert or update upserts the row's archived columns, a delete
        removes it), in one transaction; the batches that copy the rows in then leave a row the
        trigger already wrote alone (`on conflict do nothing`), and read theirs FOR SHARE, so a row
        deleted meanwhile is never copied back. Contract drops the trigger in its own transaction
        (sync_trigger_drop_statements), so the archive holds exactly what the table held then. -#}
    {% do expand_contract.ensure_schema(archive_schema) %}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set archive = expand_contract.ec_relation(archive_schema, archive_table) %}
    {% set q = adapter.quote %}
    {% set keys, targets, values, updates, old_match = [], [], [], [], [] %}
    {% for k in key %}{% do keys.append(q(k)) %}{% do old_match.append(q(k) ~ ' = OLD.' ~ q(k)) %}{% endfor %}
    {% for column in columns %}
        {% do targets.append(q(column.name)) %}{% do values.append(column.expression) %}
        {% if column.name not in key %}{% do updates.append(q(column.name) ~ ' = excluded.' ~ q(column.name)) %}{% endif %}
    {% endfor %}
    {% set function_sql %}
create or replace function {{ names.archive_function }}() returns trigger language plpgsql as $ec_archive$
begin
    if TG_OP <> 'INSERT' then
        delete from {{ archive }} where {{ old_match | join(' and ') }};
    end if;
    if TG_OP <> 'DELETE' then
        insert into {{ archive }} ({{ targets | join(', ') }}) select {{ values | join(', ') }} from (select NEW.*) as ec_row
        on conflict ({{ keys | join(', ') }}) do {{ ('update set ' ~ updates | join(', ')) if updates else 'nothing' }};
    end if;
    return null;
end
$ec_archive$
    {% endset %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% do expand_contract.run_in_transaction([
        expand_contract.archive_table_statement(archive_schema, archive_table, key, columns),
        function_sql,
        'drop trigger if exists ' ~ names.archive_trigger ~ ' on ' ~ relation,
        'create trigger ' ~ names.archive_trigger ~ ' after insert or update or delete on ' ~ relation
            ~ ' for each row execute function ' ~ names.archive_function ~ '()',
    ]) %}
{% endmacro %}

{% macro archive_table_statement(archive_schema, archive_table, key, columns) %}
    {#- `create table if not exists` of an archive: `columns`' names and types ([{name, data_type}],
        the key's among them), primary key `key`. -#}
    {% set defined = [] %}
    {% for column in columns %}{% do defined.append(adapter.quote(column.name) ~ ' ' ~ column.data_type) %}{% endfor %}
    {{ return('create table if not exists ' ~ expand_contract.ec_relation(archive_schema, archive_table) ~ ' ('
        ~ defined | join(', ') ~ ', primary key (' ~ expand_contract.quote_all(key) | join(', ') ~ '))') }}
{% endmacro %}

{% macro count_unarchived(schema, table, archive_schema, archive_table, key) %}
    {#- Rows of the table whose key the archive does not hold (written after contract), emitted as
        {rows}; none when the archive does not exist. -#}
    {% set found = adapter.get_relation(database=target.database, schema=archive_schema, identifier=archive_table) %}
    {% set rows = none %}
    {% if found is not none %}
        {% set match = [] %}
        {% for k in expand_contract.quote_all(key) %}{% do match.append('ec_archived.' ~ k ~ ' = ec_live.' ~ k) %}{% endfor %}
        {% set rows = run_query('select count(*) from ' ~ expand_contract.ec_relation(schema, table) ~ ' as ec_live'
            ~ ' where not exists (select 1 from ' ~ expand_contract.ec_relation(archive_schema, archive_table)
            ~ ' as ec_archived where ' ~ match | join(' and ') ~ ')').columns[0].values()[0] | int %}
    {% endif %}
    {% do expand_contract.emit_result({'rows': rows}) %}
{% endmacro %}

{% macro last_checkpoint(run_id, meta_schema=none) %}
    {#- The last batch committed under `run_id` (a backfill's, or a rollback's refill), emitted as
        {batch_no, last_key (JSON)}; none before its first. -#}
    {% set checkpoints = expand_contract.ec_relation(meta_schema or var('expand_contract_meta_schema'), 'backfill_checkpoints') %}
    {% set found = expand_contract.rows_as_dicts(run_query('select batch_no, last_key from ' ~ checkpoints
        ~ ' where run_id = ' ~ expand_contract.sql_literal(run_id) ~ ' order by batch_no desc limit 1')) %}
    {% do expand_contract.emit_result(found[0] if found else none) %}
{% endmacro %}

{% macro archive_table_statements(relation, archive_schema, archive_table) %}
    {{ return(adapter.dispatch('archive_table_statements', 'expand_contract')(relation, archive_schema, archive_table)) }}
{% endmacro %}

{% macro default__archive_table_statements(relation, archive_schema, archive_table) %}
    {#- Contract of a drop_table keeps the table's rows: copied into the backup schema, then the table
        dropped (DuckDB cannot move a table to another schema). -#}
    {% set archive = expand_contract.ec_relation(archive_schema, archive_table) %}
    {{ return(['create schema if not exists ' ~ adapter.quote(archive_schema),
               'create table ' ~ archive ~ ' as select * from ' ~ relation, 'drop table ' ~ relation]) }}
{% endmacro %}

{% macro postgres__archive_table_statements(relation, archive_schema, archive_table) %}
    {#- Contract of a drop_table keeps the table itself: moved into the backup schema under the
        archive's name (metadata only: its rows, identity, sequences, indexes, constraints and grants
        go with it). Refused, as DROP TABLE would be, while a view or another table's foreign key
        depends on it (they would follow it silently). -#}
    {% set lit = expand_contract.sql_literal %}
    {% set dependents %}
do $ec_dependents$ begin
    if exists (select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid and d.classid = 'pg_rewrite'::regclass
               where d.refobjid = {{ lit(relation | string) }}::regclass and r.ev_class <> d.refobjid)
       or exists (select 1 from pg_constraint c where c.confrelid = {{ lit(relation | string) }}::regclass
                  and c.conrelid <> c.confrelid) then
        raise exception 'cannot drop table % because other objects depend on it (a view, or a foreign key of another table)',
            {{ lit(relation | string) }};
    end if;
end $ec_dependents$
    {% endset %}
    {{ return([dependents, 'create schema if not exists ' ~ adapter.quote(archive_schema),
               'alter table ' ~ relation ~ ' set schema ' ~ adapter.quote(archive_schema),
               'alter table ' ~ expand_contract.ec_relation(archive_schema, relation.identifier) ~ ' rename to '
                   ~ adapter.quote(archive_table)]) }}
{% endmacro %}

{% macro move_table_back(archive_schema, archive_table, schema, table) %}
    {#- PostgreSQL: a table contract moved into the backup schema, moved back under its name, in one
        transaction (metadata only). -#}
    {% do expand_contract.run_in_transaction([
        'alter table ' ~ expand_contract.ec_relation(archive_schema, archive_table) ~ ' set schema ' ~ adapter.quote(schema),
        'alter table ' ~ expand_contract.ec_relation(schema, archive_table) ~ ' rename to ' ~ adapter.quote(table)]) %}
{% endmacro %}

{% macro fingerprint_expression(columns, row=none) %}
    {{ return(adapter.dispatch('fingerprint_expression', 'expand_contract')(columns, row)) }}
{% endmacro %}

{% macro default__fingerprint_expression(columns, row) %}
    {#- A row's fingerprint over `columns` (of the row `row`, else unqualified): the binary hash of
        their values (no text: the session's time zone and formats cannot change it). DuckDB's hash. -#}
    {% set refs = [] %}
    {% for column in columns %}{% do refs.append((adapter.quote(row) ~ '.' if row else '') ~ adapter.quote(column)) %}{% endfor %}
    {{ return('cast((hash(' ~ refs | join(', ') ~ ') >> 1) as bigint)') }}
{% endmacro %}

{% macro postgres__fingerprint_expression(columns, row) %}
    {#- PostgreSQL: each type's own hash function over the values (hash_record_extended). -#}
    {% set refs = [] %}
    {% for column in columns %}{% do refs.append((adapter.quote(row) ~ '.' if row else '') ~ adapter.quote(column)) %}{% endfor %}
    {{ return('hash_record_extended(row(' ~ refs | join(', ') ~ '), 0)') }}
{% endmacro %}

{% macro reverse_fill_expressions(archive_schema, archive_table, key, rules, rows) %}
    {#- Rollback after contract: for each row reference of `rows` (the table's name in the batches and
        the verification, `ec_row` in the sync trigger) and each rule of `rules` ([{physical, archived,
        fingerprint, inputs, down, data_type}]), the refilled old column's value, emitted as {row:
        {physical: [expression, data_type]}}: the archive's column `archived` if the archive holds the
        row's key and (with a `fingerprint` column) the row's fingerprint over `inputs`, what `down`
        reads, is unchanged since contract; else `down` (else NULL). -#}
    {% set archive = expand_contract.ec_relation(archive_schema, archive_table) %}
    {% set q = adapter.quote %}
    {% set found = {} %}
    {% for row in rows %}
        {% set fills = {} %}
        {% for rule in rules %}
            {% set match = [] %}
            {% for k in key %}{% do match.append('ec_archived.' ~ q(k) ~ ' = ' ~ q(row) ~ '.' ~ q(k)) %}{% endfor %}
            {% if rule.fingerprint %}
                {% do match.append('ec_archived.' ~ q(rule.fingerprint) ~ ' = '
                    ~ expand_contract.fingerprint_expression(rule.inputs, row)) %}
            {% endif %}
            {% set where = 'from ' ~ archive ~ ' as ec_archived where ' ~ match | join(' and ') %}
            {% do fills.update({rule.physical: ['case when exists (select 1 ' ~ where ~ ') then (select ec_archived.'
                ~ q(rule.archived) ~ ' ' ~ where ~ ') else ' ~ (rule.down or 'null') ~ ' end', rule.data_type]}) %}
        {% endfor %}
        {% do found.update({row: fills}) %}
    {% endfor %}
    {% do expand_contract.emit_result(found) %}
{% endmacro %}

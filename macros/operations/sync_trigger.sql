{% macro sync_trigger_names(schema, table) %}
    {#- The sync trigger's function (qualified) and trigger name for a table, and those of the
        trigger that syncs a rewrite_table's new table back (`back_function`, `back_trigger`). -#}
    {% set base = table[:50] ~ '__ec_sync' %}
    {% set back = table[:50] ~ '__ec_back' %}
    {{ return({'function': adapter.quote(schema) ~ '.' ~ adapter.quote(base), 'trigger': adapter.quote(base),
               'back_function': adapter.quote(schema) ~ '.' ~ adapter.quote(back), 'back_trigger': adapter.quote(back)}) }}
{% endmacro %}

{% macro install_sync_trigger(schema, table, rule) %}
    {{ return(adapter.dispatch('install_sync_trigger', 'expand_contract')(schema, table, rule)) }}
{% endmacro %}

{% macro default__install_sync_trigger(schema, table, rule) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no triggers: writes cannot be synced between shapes') %}
{% endmacro %}

{% macro postgres__install_sync_trigger(schema, table, rule) %}
    {#- Dual write while both shapes exist: a BEFORE INSERT OR UPDATE row trigger. A write through
        the old shape (new-only columns untouched) gets the new columns from `up`; a write through
        the new shape (new-only columns set, old-only ones untouched) gets the old columns from
        `down`, evaluated over the new shape's names. The backfill marks its transaction
        (expand_contract.backfill = on): the trigger's WHEN clause skips its rows without even
        entering PL/pgSQL, so the backfill pays nothing for it. Installed in one transaction. -#}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set q = adapter.quote %}
    {% set old_null, old_changed, new_set, new_changed = [], [], [], [] %}
    {% for c in rule.old_only %}
        {% do old_null.append('NEW.' ~ q(c) ~ ' is null') %}
        {% do old_changed.append('NEW.' ~ q(c) ~ ' is distinct from OLD.' ~ q(c)) %}
    {% endfor %}
    {% for c in rule.new_only %}
        {% do new_set.append('NEW.' ~ q(c) ~ ' is not null') %}
        {% do new_changed.append('NEW.' ~ q(c) ~ ' is distinct from OLD.' ~ q(c)) %}
    {% endfor %}
    {% set insert_from_new = '(' ~ (old_null | join(' and ') or 'false') ~ ') and (' ~ (new_set | join(' or ') or 'true') ~ ')' %}
    {% set update_from_new = '(' ~ (new_changed | join(' or ') or 'false') ~ ') and not (' ~ (old_changed | join(' or ') or 'false') ~ ')' %}
    {% set up_values, up_targets, down_values, down_targets, new_row = [], [], [], [], [] %}
    {% for column, spec in rule.up.items() %}
        {% do up_values.append('cast((' ~ spec[0] ~ ') as ' ~ spec[1] ~ ')') %}
        {% do up_targets.append('NEW.' ~ q(column)) %}
    {% endfor %}
    {% for column, spec in rule.down.items() %}
        {% do down_values.append('cast((' ~ spec[0] ~ ') as ' ~ spec[1] ~ ')') %}
        {% do down_targets.append('NEW.' ~ q(column)) %}
    {% endfor %}
    {% for pair in rule.new_columns %}{% do new_row.append('NEW.' ~ q(pair[1]) ~ ' as ' ~ q(pair[0])) %}{% endfor %}
    {% set up_sql = ('select ' ~ up_values | join(', ') ~ ' into ' ~ up_targets | join(', ') ~ ' from (select NEW.*) as ec_row;') if up_values else 'null;' %}
    {% set down_sql = ('select ' ~ down_values | join(', ') ~ ' into ' ~ down_targets | join(', ') ~ ' from (select ' ~ new_row | join(', ') ~ ') as ec_row;') if down_values else 'null;' %}
    {% set function_sql %}
create or replace function {{ names.function }}() returns trigger language plpgsql as $ec_sync$
declare
    from_new boolean;
begin
    if TG_OP = 'INSERT' then
        from_new := {{ insert_from_new }};
    else
        from_new := {{ update_from_new }};
    end if;
    if from_new then
        {{ down_sql }}
    else
        {{ up_sql }}
    end if;
    return NEW;
end
$ec_sync$
    {% endset %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% do expand_contract.run_in_transaction([
        function_sql,
        'drop trigger if exists ' ~ names.trigger ~ ' on ' ~ relation,
        'create trigger ' ~ names.trigger ~ ' before insert or update on ' ~ relation ~ ' for each row'
            ~ " when (current_setting('expand_contract.backfill', true) is distinct from 'on')"
            ~ ' execute function ' ~ names.function ~ '()',
    ]) %}
{% endmacro %}

{% macro sync_trigger_drop_statements(schema, table) %}
    {{ return(adapter.dispatch('sync_trigger_drop_statements', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__sync_trigger_drop_statements(schema, table) %}
    {{ return([]) }}
{% endmacro %}

{% macro postgres__sync_trigger_drop_statements(schema, table) %}
    {#- Removing the sync trigger (contract, rollback): `if exists`, so safe to repeat. -#}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set found = adapter.get_relation(database=target.database, schema=schema, identifier=table) %}
    {#- A function's CASCADE drops only the triggers calling it (a rewrite's two, on either table). -#}
    {{ return((['drop trigger if exists ' ~ names.trigger ~ ' on ' ~ relation] if found else [])
        + ['drop function if exists ' ~ names.function ~ '() cascade',
           'drop function if exists ' ~ names.back_function ~ '() cascade']) }}
{% endmacro %}

{% macro drop_sync_trigger(schema, table) %}
    {#- Rollback: removes the sync trigger and its function, if they exist (none on DuckDB). -#}
    {% set statements = expand_contract.sync_trigger_drop_statements(schema, table) %}
    {% if statements %}
        {% do expand_contract.run_in_transaction(statements) %}
    {% endif %}
{% endmacro %}

{% macro install_rewrite_sync(schema, table, rewrite) %}
    {{ return(adapter.dispatch('install_rewrite_sync', 'expand_contract')(schema, table, rewrite)) }}
{% endmacro %}

{% macro default__install_rewrite_sync(schema, table, rewrite) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no triggers: writes cannot be synced between tables') %}
{% endmacro %}

{% macro rewrite_sync_function(function, target, key, columns, upsert) %}
    {#- The body of one direction of a rewrite's sync: after a row changes, the same row of `target`
        follows, with `columns` ([{name, expression over the changed row, data_type}]) computed from
        the changed row. `upsert` (the target has the key as primary key) writes with ON CONFLICT,
        which waits for a backfill batch copying that row instead of failing; otherwise UPDATE, then
        INSERT if no row matched. A DELETE (or a key change) deletes the target's row. -#}
    {% set q = adapter.quote %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set old_key, new_key, updates = [], [], [] %}
    {% for k in keys %}{% do old_key.append('OLD.' ~ k) %}{% do new_key.append('NEW.' ~ k) %}{% endfor %}
    {% set computed = expand_contract.computed_columns(columns) %}
    {% set names, values = computed.names, computed.casts %}
    {% for column in columns if column.name not in key %}
        {% do updates.append(q(column.name) ~ ' = excluded.' ~ q(column.name)) %}
    {% endfor %}
    {% set key_list = '(' ~ keys | join(', ') ~ ')' %}
    {% set select_new = 'select ' ~ values | join(', ') ~ ' from (select NEW.*) as ec_row' %}
    {% set write %}
        {% if upsert %}
        insert into {{ target }} ({{ names | join(', ') }}) {{ select_new }}
        on conflict {{ key_list }} do {{ ('update set ' ~ updates | join(', ')) if updates else 'nothing' }};
        {% else %}
        update {{ target }} set ({{ names | join(', ') }}) = ({{ select_new }}) where {{ key_list }} = ({{ new_key | join(', ') }});
        if not found then
            insert into {{ target }} ({{ names | join(', ') }}) {{ select_new }};
        end if;
        {% endif %}
    {% endset %}
    {% set sql %}
create or replace function {{ function }}() returns trigger language plpgsql as $ec_sync$
begin
    if TG_OP = 'DELETE' or (TG_OP = 'UPDATE' and ({{ old_key | join(', ') }}) is distinct from ({{ new_key | join(', ') }})) then
        delete from {{ target }} where {{ key_list }} = ({{ old_key | join(', ') }});
    end if;
    if TG_OP <> 'DELETE' then
        {{ write }}
    end if;
    return null;
end
$ec_sync$
    {% endset %}
    {{ return(sql) }}
{% endmacro %}

{% macro postgres__install_rewrite_sync(schema, table, rewrite) %}
    {#- Dual write for rewrite_table: AFTER row triggers on both tables. A write to the old table
        reaches the new one through the new columns' expressions (`up`); a write to the new table
        reaches the old one through `rewrite.back` (`down`, or the column under its new name).
        Neither fires for the other's writes (pg_trigger_depth), and the new table's trigger skips
        the backfill's copies (expand_contract.backfill = on). Installed in one transaction. -#}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set old_relation = expand_contract.ec_relation(schema, table) %}
    {% set new_relation = expand_contract.ec_relation(schema, rewrite.table) %}
    {% set events = ' after insert or update or delete on ' %}
    {% do expand_contract.run_in_transaction([
        expand_contract.rewrite_sync_function(names.function, new_relation, rewrite.primary_key, rewrite.columns, true),
        expand_contract.rewrite_sync_function(names.back_function, old_relation, rewrite.primary_key, rewrite.back, false),
        'drop trigger if exists ' ~ names.trigger ~ ' on ' ~ old_relation,
        'create trigger ' ~ names.trigger ~ events ~ old_relation ~ ' for each row'
            ~ ' when (pg_trigger_depth() < 1) execute function ' ~ names.function ~ '()',
        'drop trigger if exists ' ~ names.back_trigger ~ ' on ' ~ new_relation,
        'create trigger ' ~ names.back_trigger ~ events ~ new_relation ~ ' for each row'
            ~ " when (pg_trigger_depth() < 1 and current_setting('expand_contract.backfill', true) is distinct from 'on')"
            ~ ' execute function ' ~ names.back_function ~ '()',
    ]) %}
{% endmacro %}

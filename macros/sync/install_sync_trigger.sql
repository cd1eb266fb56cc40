{% macro install_sync_trigger(schema, table, rule) %}
    {{ return(adapter.dispatch('install_sync_trigger', 'expand_contract')(schema, table, rule)) }}
{% endmacro %}

{% macro default__install_sync_trigger(schema, table, rule) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no triggers: writes cannot be synced between shapes') %}
{% endmacro %}

{% macro postgres__install_sync_trigger(schema, table, rule) %}
    {#- Dual write while both shapes exist: a BEFORE INSERT OR UPDATE row trigger on the table. Which
        shape wrote is known by construction, never guessed from the values: a write through the
        new shape arrives through `<table>_v2` (or a view on it), whose INSTEAD OF trigger
        (shape_writer_statements) marks its own write to the table (`expand_contract.writer` set to
        the table's name, for that statement only); such a row gets the old-only columns from
        `down`, evaluated over the new shape's names. Every other write (the table itself, `<table>_v1`)
        is the old shape's and gets the new columns from `up`, whatever defaults either shape's
        columns have. The backfill marks its transaction (expand_contract.backfill = on): the
        trigger's WHEN clause skips its rows without even entering PL/pgSQL, so the backfill pays
        nothing for it. Installed in one transaction. -#}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set q = adapter.quote %}
    {% set up_values, up_targets, down_values, down_targets, new_row = [], [], [], [], [] %}
    {% for column, spec in rule.up.items() %}
        {% do up_values.append(expand_contract.assign_cast(spec[0], spec[1])) %}
        {% do up_targets.append('NEW.' ~ q(column)) %}
    {% endfor %}
    {% for column, spec in rule.down.items() %}
        {% do down_values.append(expand_contract.assign_cast(spec[0], spec[1])) %}
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
    from_new := coalesce(current_setting('expand_contract.writer', true), '') = {{ expand_contract.sql_literal(names.writer) }};
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

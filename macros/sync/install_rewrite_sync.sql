{% macro install_rewrite_sync(schema, table, rewrite) %}
    {{ return(adapter.dispatch('install_rewrite_sync', 'expand_contract')(schema, table, rewrite)) }}
{% endmacro %}

{% macro default__install_rewrite_sync(schema, table, rewrite) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no triggers: writes cannot be synced between tables') %}
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

{% macro backup_guard_statement(backup_schema, backup_table, row_count, table_checksum) %}
    {#- A statement that fails, stopping the restore script before it changes anything, unless the
        backup still holds what was verified (its row count and whole-table checksum, as recorded). -#}
    {% set backup = expand_contract.ec_relation(backup_schema, backup_table) %}
    {% set columns = adapter.get_columns_in_relation(backup) | sort(attribute='name') %}
    {% set check = 'select 1 from (' ~ expand_contract.checksum_select(backup, columns, false) ~ ') s where s.row_count <> '
        ~ row_count ~ ' or s.table_checksum <> ' ~ expand_contract.sql_literal(table_checksum | string) %}
    {% set message = 'the backup ' ~ backup_schema ~ '.' ~ backup_table ~ ' no longer matches the checksums recorded when'
        ~ ' it was verified: nothing was changed' %}
    {{ return(adapter.dispatch('backup_guard_statement', 'expand_contract')(check, message)) }}
{% endmacro %}

{% macro default__backup_guard_statement(check, message) %}
    {{ return('select error(' ~ expand_contract.sql_literal(message) ~ ') from (' ~ check ~ ') failed') }}
{% endmacro %}

{% macro postgres__backup_guard_statement(check, message) %}
    {{ return('do $ec$ begin if exists (' ~ check ~ ') then raise exception ' ~ expand_contract.sql_literal(message)
        ~ '; end if; end $ec$') }}
{% endmacro %}

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
    {#- A function's CASCADE drops only the triggers calling it (a rewrite's two, on either table;
        the new shape's INSTEAD OF triggers, on its views). -#}
    {{ return((['drop trigger if exists ' ~ names.trigger ~ ' on ' ~ relation] if found else [])
        + ['drop function if exists ' ~ names.function ~ '() cascade',
           'drop function if exists ' ~ names.back_function ~ '() cascade',
           'drop function if exists ' ~ names.writer_function ~ '() cascade',
           'drop function if exists ' ~ names.archive_function ~ '() cascade']) }}
{% endmacro %}

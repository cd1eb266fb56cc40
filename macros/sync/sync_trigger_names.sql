{% macro sync_trigger_names(schema, table) %}
    {#- The sync trigger's function (qualified) and trigger name for a table, and those of the
        trigger that syncs a rewrite_table's new table back (`back_function`, `back_trigger`). -#}
    {% set base = table[:50] ~ '__ec_sync' %}
    {% set back = table[:50] ~ '__ec_back' %}
    {{ return({'function': adapter.quote(schema) ~ '.' ~ adapter.quote(base), 'trigger': adapter.quote(base),
               'back_function': adapter.quote(schema) ~ '.' ~ adapter.quote(back), 'back_trigger': adapter.quote(back)}) }}
{% endmacro %}

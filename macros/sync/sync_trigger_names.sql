{% macro sync_trigger_names(schema, table) %}
    {#- The sync trigger's function (qualified) and trigger name for a table; those of the trigger
        that syncs a rewrite_table's new table back (`back_function`, `back_trigger`); the INSTEAD
        OF trigger through which the new shape's views write (`writer_function`, `writer_trigger`);
        the trigger that keeps contract's archive current (`archive_function`, `archive_trigger`);
        and `writer`, the value that trigger gives `expand_contract.writer` while it writes. -#}
    {% set base = table[:50] ~ '__ec_sync' %}
    {% set back = table[:50] ~ '__ec_back' %}
    {% set write = table[:50] ~ '__ec_write' %}
    {% set archive = table[:50] ~ '__ec_arch' %}
    {{ return({'function': adapter.quote(schema) ~ '.' ~ adapter.quote(base), 'trigger': adapter.quote(base),
               'back_function': adapter.quote(schema) ~ '.' ~ adapter.quote(back), 'back_trigger': adapter.quote(back),
               'writer_function': adapter.quote(schema) ~ '.' ~ adapter.quote(write), 'writer_trigger': adapter.quote(write),
               'archive_function': adapter.quote(schema) ~ '.' ~ adapter.quote(archive), 'archive_trigger': adapter.quote(archive),
               'writer': schema ~ '.' ~ table}) }}
{% endmacro %}

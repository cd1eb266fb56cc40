{% macro hidden_relation(schema, table) %}
    {{ return(adapter.dispatch('hidden_relation', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__hidden_relation(schema, table) %}
    {#- A table the connection cannot see but that exists: none where the engine has no privileges. -#}
    {{ return(none) }}
{% endmacro %}

{% macro postgres__hidden_relation(schema, table) %}
    {#- Whether the table exists (pg_class is readable by every role) and the connection's user lacks
        USAGE on its schema or SELECT on it, so a missing privilege is said as such, not as a missing
        table or a failed catalog read. Returns {user, schema_usage, table_select}, or none (absent,
        or readable). -#}
    {% set lit = expand_contract.sql_literal %}
    {% set found = expand_contract.rows_as_dicts(run_query(
        'select current_user as "user", has_schema_privilege(n.oid, ' ~ lit('USAGE') ~ ') as schema_usage, '
        ~ 'has_table_privilege(c.oid, ' ~ lit('SELECT') ~ ') as table_select from pg_class c join pg_namespace n '
        ~ 'on n.oid = c.relnamespace where n.nspname = ' ~ lit(schema) ~ ' and c.relname = ' ~ lit(table)
        ~ " and c.relkind in ('r', 'p', 'v', 'm', 'f')")) %}
    {{ return(found[0] if found and not (found[0].schema_usage and found[0].table_select) else none) }}
{% endmacro %}

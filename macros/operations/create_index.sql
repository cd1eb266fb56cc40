{% macro create_index(schema, table, name, columns, unique=false, definition=none, options={}) %}
    {{ return(adapter.dispatch('create_index', 'expand_contract')(schema, table, name, columns, unique, definition, options)) }}
{% endmacro %}

{% macro default__create_index(schema, table, name, columns, unique, definition, options) %}
    {#- DuckDB builds an index in one statement (it has no CONCURRENTLY). -#}
    {% do run_query(definition or expand_contract.create_index_statement(schema, table, name, columns, unique, '', options)) %}
{% endmacro %}

{% macro postgres__create_index(schema, table, name, columns, unique, definition, options) %}
    {#- CONCURRENTLY: writers go on while it builds. It cannot run in a transaction, and a failed
        build leaves an INVALID index behind, which is dropped (concurrently) before trying again.
        `definition`: the whole statement instead of one built from `columns` (an index a replaced
        column carries over, CONCURRENTLY IF NOT EXISTS already). -#}
    {% do run_query(expand_contract.lock_timeout_statement()) %}
    {% set invalid = run_query("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid"
        ~ " join pg_namespace n on n.oid = c.relnamespace where not i.indisvalid and c.relname = "
        ~ expand_contract.sql_literal(name) ~ " and n.nspname = " ~ expand_contract.sql_literal(schema)) %}
    {% if invalid.rows[0][0] > 0 %}
        {% do run_query('drop index concurrently if exists ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(name)) %}
    {% endif %}
    {% do run_query(definition or expand_contract.create_index_statement(schema, table, name, columns, unique, 'concurrently', options)) %}
{% endmacro %}

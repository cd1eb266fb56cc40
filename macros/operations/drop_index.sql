{% macro drop_index(schema, name) %}
    {{ return(adapter.dispatch('drop_index', 'expand_contract')(schema, name)) }}
{% endmacro %}

{% macro default__drop_index(schema, name) %}
    {% do run_query('drop index if exists ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(name)) %}
{% endmacro %}

{% macro postgres__drop_index(schema, name) %}
    {#- CONCURRENTLY: no lock that blocks readers or writers of the table; not in a transaction. -#}
    {% do run_query(expand_contract.lock_timeout_statement()) %}
    {% do run_query('drop index concurrently if exists ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(name)) %}
{% endmacro %}

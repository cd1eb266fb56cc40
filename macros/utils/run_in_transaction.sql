{% macro run_in_transaction(statements) %}
    {{ return(adapter.dispatch('run_in_transaction', 'expand_contract')(statements)) }}
{% endmacro %}

{% macro default__run_in_transaction(statements) %}
    {#- One round trip, one transaction: either every statement takes effect or none does. On
        PostgreSQL the transaction_begin sets lock_timeout, so every lock wait is bounded (the
        harness retries on timeout). -#}
    {% set body = statements | join(';\n') %}
    {% do run_query(expand_contract.transaction_begin() ~ ';\n' ~ body ~ ';\ncommit;') %}
{% endmacro %}

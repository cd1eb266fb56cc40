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

{% macro transaction_begin() %}
    {{ return(adapter.dispatch('transaction_begin', 'expand_contract')()) }}
{% endmacro %}

{% macro default__transaction_begin() %}
    {{ return('begin transaction') }}
{% endmacro %}

{% macro postgres__transaction_begin() %}
    {#- Statements run by psql outside the harness wait at most lock_timeout too. -#}
    {{ return('begin; ' ~ expand_contract.lock_timeout_statement(local=true)) }}
{% endmacro %}

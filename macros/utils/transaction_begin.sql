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

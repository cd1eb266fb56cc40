{% macro run_in_transaction(statements) %}
    {{ return(adapter.dispatch('run_in_transaction', 'expand_contract')(statements)) }}
{% endmacro %}

{% macro default__run_in_transaction(statements) %}
    {#- One round trip, one transaction: either every statement takes effect or none does. -#}
    {% set body = statements | join(';\n') %}
    {% do run_query('begin transaction;\n' ~ body ~ ';\ncommit;') %}
{% endmacro %}

{% macro postgres__run_in_transaction(statements) %}
    {#- lock_timeout bounds every lock wait inside the transaction; the harness retries on timeout. -#}
    {% set body = statements | join(';\n') %}
    {% set timeout = expand_contract.sql_literal(var('expand_contract_lock_timeout', '2s')) %}
    {% do run_query('begin;\nset local lock_timeout = ' ~ timeout ~ ';\n' ~ body ~ ';\ncommit;') %}
{% endmacro %}

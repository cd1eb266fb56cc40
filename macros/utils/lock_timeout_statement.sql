{% macro lock_timeout_statement(local=false) %}
    {#- `set [local] lock_timeout` to the package's bound (var expand_contract_lock_timeout, default
        2s): local inside a transaction, for the session before statements that cannot run in one. -#}
    {{ return('set ' ~ ('local ' if local else '') ~ 'lock_timeout = ' ~ expand_contract.sql_literal(var('expand_contract_lock_timeout', '2s'))) }}
{% endmacro %}

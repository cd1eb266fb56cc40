{% macro accepted_values_violation_sql(rule) %}
    {{ return(adapter.dispatch('accepted_values_violation_sql', 'expand_contract')(rule)) }}
{% endmacro %}

{% macro default__accepted_values_violation_sql(rule) %}
    {{ return(adapter.quote(rule.column) ~ ' not in (' ~ expand_contract.sql_literal_list(rule['values']) ~ ')') }}
{% endmacro %}

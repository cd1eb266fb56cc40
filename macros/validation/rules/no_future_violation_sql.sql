{% macro no_future_violation_sql(rule) %}
    {{ return(adapter.dispatch('no_future_violation_sql', 'expand_contract')(rule)) }}
{% endmacro %}

{% macro default__no_future_violation_sql(rule) %}
    {{ return('cast(' ~ adapter.quote(rule.column) ~ ' as date) > current_date') }}
{% endmacro %}

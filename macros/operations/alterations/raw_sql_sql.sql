{% macro raw_sql_sql(relation, step) %}
    {{ return(adapter.dispatch('raw_sql_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__raw_sql_sql(relation, step) %}
    {#- A raw_sql operation's `up` with `on_complete`: the user's statements, in contract's transaction. -#}
    {{ return([step.sql.strip().rstrip(';')]) }}
{% endmacro %}

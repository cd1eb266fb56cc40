{% macro set_not_null_sql(relation, step) %}
    {{ return(adapter.dispatch('set_not_null_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__set_not_null_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' set not null']) }}
{% endmacro %}

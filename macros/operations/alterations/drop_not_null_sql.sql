{% macro drop_not_null_sql(relation, step) %}
    {{ return(adapter.dispatch('drop_not_null_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__drop_not_null_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' drop not null']) }}
{% endmacro %}

{% macro drop_default_sql(relation, step) %}
    {{ return(adapter.dispatch('drop_default_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__drop_default_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' drop default']) }}
{% endmacro %}

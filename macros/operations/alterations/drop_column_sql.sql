{% macro drop_column_sql(relation, step) %}
    {{ return(adapter.dispatch('drop_column_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__drop_column_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' drop column if exists ' ~ adapter.quote(step.column)]) }}
{% endmacro %}

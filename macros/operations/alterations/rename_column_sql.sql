{% macro rename_column_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_column_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_column_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' rename column ' ~ adapter.quote(step.column) ~ ' to ' ~ adapter.quote(step.to)]) }}
{% endmacro %}

{% macro add_column_sql(relation, step) %}
    {{ return(adapter.dispatch('add_column_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_column_sql(relation, step) %}
    {#- `if not exists`: safe to run again after a crash. -#}
    {{ return(['alter table ' ~ relation ~ ' add column if not exists ' ~ adapter.quote(step.name) ~ ' ' ~ step.data_type
        ~ ((' default ' ~ step.default) if step.default else '')]) }}
{% endmacro %}

{% macro set_default_sql(relation, step) %}
    {{ return(adapter.dispatch('set_default_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__set_default_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' set default ' ~ step.default]) }}
{% endmacro %}

{% macro rename_constraint_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_constraint_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_constraint_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__rename_constraint_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' rename constraint ' ~ adapter.quote(step.name) ~ ' to ' ~ adapter.quote(step.to)]) }}
{% endmacro %}

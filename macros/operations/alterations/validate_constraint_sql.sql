{% macro validate_constraint_sql(relation, step) %}
    {{ return(adapter.dispatch('validate_constraint_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__validate_constraint_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__validate_constraint_sql(relation, step) %}
    {#- Scans under SHARE UPDATE EXCLUSIVE: readers and writers go on. -#}
    {{ return(['alter table ' ~ relation ~ ' validate constraint ' ~ adapter.quote(step.name)]) }}
{% endmacro %}

{% macro add_constraint_sql(relation, step) %}
    {{ return(adapter.dispatch('add_constraint_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_constraint_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__add_constraint_sql(relation, step) %}
    {#- A constraint whose whole definition the harness carried over from a replaced column (a
        CHECK or FOREIGN KEY, NOT VALID: validate_constraint scans later). Dropped first if it
        exists, so the step is safe to repeat. -#}
    {% set name = adapter.quote(step.name) %}
    {{ return(['alter table ' ~ relation ~ ' drop constraint if exists ' ~ name,
               'alter table ' ~ relation ~ ' add constraint ' ~ name ~ ' ' ~ step.definition]) }}
{% endmacro %}

{% macro add_check_sql(relation, step) %}
    {{ return(adapter.dispatch('add_check_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_check_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__add_check_sql(relation, step) %}
    {#- NOT VALID: only new writes are checked, no scan under the lock; validate_constraint scans later. -#}
    {% set name = adapter.quote(step.name) %}
    {{ return(['alter table ' ~ relation ~ ' drop constraint if exists ' ~ name,
               'alter table ' ~ relation ~ ' add constraint ' ~ name ~ ' check (' ~ step.check ~ ') not valid']) }}
{% endmacro %}

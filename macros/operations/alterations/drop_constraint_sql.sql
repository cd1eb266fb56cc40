{% macro drop_constraint_sql(relation, step) %}
    {{ return(adapter.dispatch('drop_constraint_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__drop_constraint_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__drop_constraint_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' drop constraint if exists ' ~ adapter.quote(step.name)]) }}
{% endmacro %}

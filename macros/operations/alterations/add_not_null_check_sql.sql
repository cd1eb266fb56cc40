{% macro add_not_null_check_sql(relation, step) %}
    {{ return(adapter.dispatch('add_not_null_check_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_not_null_check_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__add_not_null_check_sql(relation, step) %}
    {#- A NOT VALID check first: once validated, SET NOT NULL uses it instead of scanning the table. -#}
    {% set name = adapter.quote(step.name) %}
    {{ return(['alter table ' ~ relation ~ ' drop constraint if exists ' ~ name,
               'alter table ' ~ relation ~ ' add constraint ' ~ name ~ ' check (' ~ adapter.quote(step.column) ~ ' is not null) not valid']) }}
{% endmacro %}

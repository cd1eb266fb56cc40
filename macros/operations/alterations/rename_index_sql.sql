{% macro rename_index_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_index_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_index_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__rename_index_sql(relation, step) %}
    {#- An index of the table's schema (an index lives in its table's schema), renamed. -#}
    {{ return(['alter index ' ~ adapter.quote(relation.schema) ~ '.' ~ adapter.quote(step.name) ~ ' rename to ' ~ adapter.quote(step.to)]) }}
{% endmacro %}

{% macro set_replica_identity_sql(relation, step) %}
    {{ return(adapter.dispatch('set_replica_identity_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__set_replica_identity_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no replica identity') %}
{% endmacro %}

{% macro postgres__set_replica_identity_sql(relation, step) %}
    {{ return(['alter table ' ~ relation ~ ' replica identity '
               ~ ('using index ' ~ adapter.quote(step.index) if step.identity == 'index' else step.identity)]) }}
{% endmacro %}

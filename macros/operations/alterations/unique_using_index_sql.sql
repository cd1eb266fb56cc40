{% macro unique_using_index_sql(relation, step) %}
    {{ return(adapter.dispatch('unique_using_index_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__unique_using_index_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__unique_using_index_sql(relation, step) %}
    {#- The constraint `name` adopts an index built CONCURRENTLY (create_index): no scan under the
        lock. Nothing to do when the constraint already exists (ADD CONSTRAINT has no IF NOT EXISTS).
        With `index` (a replaced column's constraint, carried over: the old one goes with the old
        column earlier in the same transaction), that index adopted and renamed `name`, always;
        `deferrable` / `deferred` carry its DEFERRABLE [INITIALLY DEFERRED]. -#}
    {% set name = adapter.quote(step.name) %}
    {% set exists = expand_contract.constraint_exists(relation, step.name) if not step.get('index') else false %}
    {% set deferrable = (' deferrable' ~ (' initially deferred' if step.get('deferred') else '')) if step.get('deferrable') else '' %}
    {{ return([] if exists else ['alter table ' ~ relation ~ ' add constraint ' ~ name ~ ' unique using index '
               ~ adapter.quote(step.get('index') or step.name) ~ deferrable]) }}
{% endmacro %}

{% macro add_foreign_key_sql(relation, step) %}
    {{ return(adapter.dispatch('add_foreign_key_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_foreign_key_sql(relation, step) %}
    {#- The harness refuses this on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__add_foreign_key_sql(relation, step) %}
    {#- NOT VALID: new writes are checked at once, existing rows by validate_constraint later. -#}
    {% set name = adapter.quote(step.name) %}
    {{ return(['alter table ' ~ relation ~ ' drop constraint if exists ' ~ name,
               'alter table ' ~ relation ~ ' add constraint ' ~ name ~ ' ' ~ expand_contract.foreign_key_clause(
                   relation.schema, step.columns, step.parent_table, step.parent_columns, step.on_delete) ~ ' not valid']) }}
{% endmacro %}

{% macro constraint_statements(relation, step) %}
    {{ return(adapter.dispatch('constraint_statements', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__constraint_statements(relation, step) %}
    {#- The harness refuses these on DuckDB before anything changes; this is the backstop. -#}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' cannot ' ~ step.kind ~ ' on an existing table') %}
{% endmacro %}

{% macro postgres__constraint_statements(relation, step) %}
    {#- Constraints without long locks: added NOT VALID (only new writes are checked, no scan),
        validated later under SHARE UPDATE EXCLUSIVE (writers go on); a unique constraint adopts
        an index built CONCURRENTLY. -#}
    {% set alter = 'alter table ' ~ relation ~ ' ' %}
    {% set name = adapter.quote(step.name) %}
    {% if step.kind == 'add_check' %}
        {{ return([alter ~ 'drop constraint if exists ' ~ name,
                   alter ~ 'add constraint ' ~ name ~ ' check (' ~ step.check ~ ') not valid']) }}
    {% elif step.kind == 'add_not_null_check' %}
        {{ return([alter ~ 'drop constraint if exists ' ~ name,
                   alter ~ 'add constraint ' ~ name ~ ' check (' ~ adapter.quote(step.column) ~ ' is not null) not valid']) }}
    {% elif step.kind == 'add_foreign_key' %}
        {% set parent = expand_contract.ec_relation(relation.schema, step.parent_table) %}
        {{ return([alter ~ 'drop constraint if exists ' ~ name,
                   alter ~ 'add constraint ' ~ name ~ ' foreign key (' ~ adapter.quote(step.column) ~ ') references '
                       ~ parent ~ ' (' ~ adapter.quote(step.parent_column) ~ ') on delete ' ~ step.on_delete ~ ' not valid']) }}
    {% elif step.kind == 'validate_constraint' %}
        {{ return([alter ~ 'validate constraint ' ~ name]) }}
    {% elif step.kind == 'drop_constraint' %}
        {{ return([alter ~ 'drop constraint if exists ' ~ name]) }}
    {% elif step.kind == 'unique_using_index' %}
        {% set found = run_query("select count(*) from pg_constraint where conname = " ~ expand_contract.sql_literal(step.name)
            ~ " and conrelid = " ~ expand_contract.sql_literal(relation | string) ~ "::regclass") %}
        {{ return([] if found.rows[0][0] > 0 else [alter ~ 'add constraint ' ~ name ~ ' unique using index ' ~ name]) }}
    {% endif %}
{% endmacro %}

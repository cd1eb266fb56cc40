{% macro rename_back_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_back_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_back_sql(relation, step) %}
    {#- For a restore script, which must be safe to run twice on a table whose rows it replaces
        next: DuckDB has no conditional DDL, so the renamed column is dropped if it exists and the
        old one added if it does not (its values come from the backup). -#}
    {{ return(['alter table ' ~ relation ~ ' drop column if exists ' ~ adapter.quote(step.column),
               'alter table ' ~ relation ~ ' add column if not exists ' ~ adapter.quote(step.to) ~ ' ' ~ step.data_type]) }}
{% endmacro %}

{% macro postgres__rename_back_sql(relation, step) %}
    {#- The column renamed back where it still has its new name (a DO block: safe to run twice). -#}
    {% set lit = expand_contract.sql_literal %}
    {{ return(['do $ec$ begin if exists (select from pg_attribute where attrelid = ' ~ lit(relation | string)
        ~ '::regclass and attname = ' ~ lit(step.column) ~ ' and not attisdropped) then alter table ' ~ relation
        ~ ' rename column ' ~ adapter.quote(step.column) ~ ' to ' ~ adapter.quote(step.to) ~ '; end if; end $ec$']) }}
{% endmacro %}

{% macro rename_table_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_table_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_table_sql(relation, step) %}
    {#- The table itself renamed (its identity, grants and dependents go with it); with `schema` and
        `table`, that table instead (another the run keeps, in the same transaction: the archive a
        rollback after contract marks as switched). -#}
    {% set renamed = expand_contract.ec_relation(step.schema, step.table) if step.get('table') else relation %}
    {{ return(['alter table ' ~ renamed ~ ' rename to ' ~ adapter.quote(step.to)]) }}
{% endmacro %}

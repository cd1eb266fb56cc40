{% macro rename_table_sql(relation, step) %}
    {{ return(adapter.dispatch('rename_table_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__rename_table_sql(relation, step) %}
    {#- The table itself renamed (its identity, grants and dependents go with it). -#}
    {{ return(['alter table ' ~ relation ~ ' rename to ' ~ adapter.quote(step.to)]) }}
{% endmacro %}

{% macro drop_index_sql(relation, step) %}
    {{ return(adapter.dispatch('drop_index_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__drop_index_sql(relation, step) %}
    {#- An index of the table's schema, dropped in the transaction (a restore: nobody reads the
        table meanwhile; migrations drop theirs CONCURRENTLY, see drop_index). -#}
    {{ return(['drop index if exists ' ~ adapter.quote(relation.schema) ~ '.' ~ adapter.quote(step.name)]) }}
{% endmacro %}

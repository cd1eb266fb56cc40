{% macro reset_type_sql(relation, step) %}
    {{ return(adapter.dispatch('reset_type_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__reset_type_sql(relation, step) %}
    {#- Gives a column another type and no values (`using cast(null as ...)`): only for a table
        whose rows are about to be replaced (a restore from the backup), so no cast is needed
        between the types and none can fail. -#}
    {{ return(['alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' set data type '
        ~ step.data_type ~ ' using cast(null as ' ~ step.data_type ~ ')']) }}
{% endmacro %}

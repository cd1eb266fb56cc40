{% macro computed_columns(columns) %}
    {#- For columns computed from another row ([{name, expression, data_type}]): their quoted names
        and their values, each expression as an assignment to its type (assign_cast); what a copy or a sync writes. -#}
    {% set names, values = [], [] %}
    {% for column in columns %}
        {% do names.append(adapter.quote(column.name)) %}
        {% do values.append(expand_contract.assign_cast(column.expression, column.data_type)) %}
    {% endfor %}
    {{ return({'names': names, 'casts': values}) }}
{% endmacro %}

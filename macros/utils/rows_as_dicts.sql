{% macro rows_as_dicts(table) %}
    {#- agate rows -> plain dicts of JSON-safe values (Decimal -> int/float, dates -> ISO text). -#}
    {% set rows = [] %}
    {% for row in table.rows %}
        {% set item = {} %}
        {% for name in table.column_names %}
            {% do item.update({name | lower: expand_contract.jsonable(row[name])}) %}
        {% endfor %}
        {% do rows.append(item) %}
    {% endfor %}
    {{ return(rows) }}
{% endmacro %}

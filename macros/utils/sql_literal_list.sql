{% macro sql_literal_list(values) %}
    {#- A comma-separated list of literals, e.g. for a row value `(1, 'a')`. -#}
    {% set out = [] %}
    {% for value in values %}{% do out.append(expand_contract.sql_literal(value)) %}{% endfor %}
    {{ return(out | join(', ')) }}
{% endmacro %}

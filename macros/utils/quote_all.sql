{% macro quote_all(names) %}
    {#- Each identifier quoted by the adapter, as a list. -#}
    {% set quoted = [] %}
    {% for name in names %}{% do quoted.append(adapter.quote(name)) %}{% endfor %}
    {{ return(quoted) }}
{% endmacro %}

{% macro jsonable(value) %}
    {%- if value is none or value is boolean or value is string -%}
        {{ return(value) }}
    {%- elif value is number -%}
        {{ return(value | int if value == value | int else value | float) }}
    {%- else -%}
        {{ return(value | string) }}
    {%- endif -%}
{% endmacro %}

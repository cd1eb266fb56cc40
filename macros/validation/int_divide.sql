{% macro int_divide(numerator, denominator) %}
    {{ return(adapter.dispatch('int_divide', 'expand_contract')(numerator, denominator)) }}
{% endmacro %}

{% macro default__int_divide(numerator, denominator) %}
    {{ return('((' ~ numerator ~ ') / (' ~ denominator ~ '))') }}
{% endmacro %}

{% macro duckdb__int_divide(numerator, denominator) %}
    {#- DuckDB's `/` is floating-point division; `//` divides integers. -#}
    {{ return('((' ~ numerator ~ ') // (' ~ denominator ~ '))') }}
{% endmacro %}

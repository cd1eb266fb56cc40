{% macro hash_expression(columns) %}
    {{ return(adapter.dispatch('hash_expression', 'expand_contract')(columns)) }}
{% endmacro %}

{% macro default__hash_expression(columns) %}
    {{ exceptions.raise_compiler_error(
        "expand_contract: no hash for adapter '" ~ adapter.type() ~ "'. "
        ~ "Add a macro " ~ adapter.type() ~ "__hash_expression (see duckdb__hash_expression).") }}
{% endmacro %}

{% macro duckdb__hash_expression(columns) %}
    {#- DuckDB's native 64-bit hash, variadic: one call hashes a whole row. -#}
    {{ return('hash(' ~ expand_contract.quote_all(columns) | join(', ') ~ ')') }}
{% endmacro %}

{% macro postgres__hash_expression(columns) %}
    {#- 64-bit hash of the value's text (of the row value's text for several columns). -#}
    {% set quoted = expand_contract.quote_all(columns) %}
    {% if quoted | length == 1 %}
        {{ return('hashtextextended(' ~ quoted[0] ~ '::text, 0)') }}
    {% endif %}
    {{ return('hashtextextended(row(' ~ quoted | join(', ') ~ ')::text, 0)') }}
{% endmacro %}

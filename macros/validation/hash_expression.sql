{% macro hash_expression(columns, text_columns=[]) %}
    {{ return(adapter.dispatch('hash_expression', 'expand_contract')(columns, text_columns)) }}
{% endmacro %}

{% macro default__hash_expression(columns, text_columns) %}
    {{ exceptions.raise_compiler_error(
        "expand_contract: no hash for adapter '" ~ adapter.type() ~ "'. "
        ~ "Add a macro " ~ adapter.type() ~ "__hash_expression (see duckdb__hash_expression).") }}
{% endmacro %}

{% macro duckdb__hash_expression(columns, text_columns) %}
    {#- DuckDB's native hash (variadic: one call hashes a whole row; every type has one), keeping
        its top 53 bits as BIGINT: sums of BIGINT take DuckDB's fast path, ~1.6x faster than
        summing the UBIGINT hash into HUGEINT, and a 53-bit sum still misses a change only with
        probability 2^-53. -#}
    {{ return('(hash(' ~ expand_contract.quote_all(columns) | join(', ') ~ ') >> 11)::BIGINT') }}
{% endmacro %}

{% macro postgres__hash_expression(columns, text_columns) %}
    {#- hash_record_extended hashes each value with its type's own hash function: no text
        conversion, ~2.3x faster than hashtextextended(row::text). Types without a hash function
        (json, xml, geometric) are hashed through their text. -#}
    {% set values = [] %}
    {% for column in columns %}
        {% do values.append(adapter.quote(column) ~ ('::text' if column in text_columns else '')) %}
    {% endfor %}
    {{ return('hash_record_extended(row(' ~ values | join(', ') ~ '), 0)') }}
{% endmacro %}

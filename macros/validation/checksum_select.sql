{% macro checksum_select(relation, columns, text_columns=[]) %}
    {#- Each column's checksum is the sum of a 64-bit hash of its values: order-independent, and,
        unlike XOR, a duplicated row changes it. `cN_count` counts non-NULL values. Sums are
        carried as text (DuckDB HUGEINT, PostgreSQL numeric: no overflow). -#}
    select
        count(*) as row_count,
        cast(coalesce(sum({{ expand_contract.hash_expression(columns, text_columns) }}), 0) as varchar) as table_checksum
        {%- for column in columns %},
        cast(coalesce(sum({{ expand_contract.hash_expression([column], text_columns) }}), 0) as varchar) as c{{ loop.index0 }}_sum,
        count({{ adapter.quote(column) }}) as c{{ loop.index0 }}_count
        {%- endfor %}
    from {{ relation }}
{% endmacro %}

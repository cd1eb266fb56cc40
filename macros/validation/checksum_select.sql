{% macro checksum_select(relation, columns, profile=true) %}
    {#- One scan: row count; whole-table checksum (sum of row hashes); per column the sum of value
        hashes and the non-NULL count; with `profile`, also min and max (orderable types) and an
        approximate distinct count where the engine has one in-scan. Sums, not XOR, so a duplicated
        row changes them; carried as text (no overflow). `columns` are adapter Column objects, in a
        fixed (sorted) order. -#}
    {% set names = columns | map(attribute='name') | list %}
    {% set text_columns = expand_contract.text_hashed_columns(columns) %}
    select
        count(*) as row_count,
        cast(coalesce(sum({{ expand_contract.hash_expression(names, text_columns) }}), 0) as varchar) as table_checksum
        {%- for column in columns %}
        {%- set q = adapter.quote(column.name) %},
        cast(coalesce(sum({{ expand_contract.column_hash_expression(column.name, column.data_type) }}), 0) as varchar) as c{{ loop.index0 }}_sum,
        count({{ q }}) as c{{ loop.index0 }}_count,
        {%- if profile and expand_contract.is_orderable_type(column.data_type) %}
        cast(min({{ q }}) as varchar) as c{{ loop.index0 }}_min,
        cast(max({{ q }}) as varchar) as c{{ loop.index0 }}_max,
        {%- else %}
        null as c{{ loop.index0 }}_min,
        null as c{{ loop.index0 }}_max,
        {%- endif %}
        {{ expand_contract.approx_distinct_expression(column.name) if profile else 'null' }} as c{{ loop.index0 }}_distinct
        {%- endfor %}
    from {{ relation }}
{% endmacro %}

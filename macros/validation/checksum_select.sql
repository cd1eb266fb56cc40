{% macro checksum_select(relation, columns, profile=true, portable=false) %}
    {#- One scan: row count; whole-table checksum (sum of row hashes); per column the sum of value
        hashes and the non-NULL count; with `profile`, also min and max (orderable types) and an
        approximate distinct count where the engine has one in-scan. Sums, not XOR, so a duplicated
        row changes them; carried as text (no overflow). `columns` are adapter Column objects, in a
        fixed (sorted) order. With `portable`, hashes are md5 of portable_text: slower, but the
        same numbers on DuckDB and PostgreSQL, so a table copied between engines can be verified. -#}
    {% set column_hashes = [] %}
    {% for column in columns %}
        {% if portable %}
            {% do column_hashes.append(expand_contract.portable_hash(expand_contract.portable_text(column.name, column.data_type))) %}
        {% else %}
            {% do column_hashes.append(expand_contract.column_hash_expression(column.name, column.data_type)) %}
        {% endif %}
    {% endfor %}
    {% set row_hash = expand_contract.row_hash_sql(columns, portable) %}
    select
        count(*) as row_count,
        cast(coalesce(sum({{ row_hash }}), 0) as varchar) as table_checksum
        {%- for column in columns %}
        {%- set q = adapter.quote(column.name) %},
        cast(coalesce(sum({{ column_hashes[loop.index0] }}), 0) as varchar) as c{{ loop.index0 }}_sum,
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

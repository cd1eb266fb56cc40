{% macro checksum_select(relation, columns) %}
    {{ return(adapter.dispatch('checksum_select', 'expand_contract')(relation, columns)) }}
{% endmacro %}

{% macro default__checksum_select(relation, columns) %}
    {{ exceptions.raise_compiler_error(
        "expand_contract: no checksum for adapter '" ~ adapter.type() ~ "'. "
        ~ "Add a macro " ~ adapter.type() ~ "__checksum_select (see duckdb__checksum_select).") }}
{% endmacro %}

{#- Each column's checksum is the sum of a 64-bit hash of its values: order-independent, and,
    unlike XOR, a duplicated row changes it. `cN_count` counts non-NULL values. -#}

{% macro duckdb__checksum_select(relation, columns) %}
    {%- set quoted = [] -%}
    {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
    select
        count(*) as row_count,
        cast(coalesce(sum(hash({{ quoted | join(', ') }})), 0) as varchar) as table_checksum
        {%- for column in quoted %},
        cast(coalesce(sum(hash({{ column }})), 0) as varchar) as c{{ loop.index0 }}_sum,
        count({{ column }}) as c{{ loop.index0 }}_count
        {%- endfor %}
    from {{ relation }}
{% endmacro %}

{% macro postgres__checksum_select(relation, columns) %}
    {%- set quoted = [] -%}
    {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
    select
        count(*) as row_count,
        coalesce(sum(hashtextextended(row({{ quoted | join(', ') }})::text, 0)), 0)::text as table_checksum
        {%- for column in quoted %},
        coalesce(sum(hashtextextended({{ column }}::text, 0)), 0)::text as c{{ loop.index0 }}_sum,
        count({{ column }}) as c{{ loop.index0 }}_count
        {%- endfor %}
    from {{ relation }}
{% endmacro %}

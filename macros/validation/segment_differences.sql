{% macro segment_differences(relations, key, columns, lower, width, segments) %}
    {#- One level of a segment diff between two relations of the same warehouse: splits the
        integer key range [lower, lower + width * segments) into buckets of `width` keys, computes
        per bucket and side the row count and the sum of row hashes (one scan of each side, an
        index range scan when the key is indexed), and emits only the buckets that differ, plus
        the rows of each side in the whole range. -#}
    {% set lower, width, segments = lower | int, width | int, segments | int %}
    {% set k = adapter.quote(key) %}
    {% set bucket = expand_contract.int_divide(k ~ ' - ' ~ lower, width) %}
    {% set text_columns = expand_contract.text_hashed_columns(adapter.get_columns_in_relation(
        expand_contract.ec_relation(relations[0][0], relations[0][1]))) %}
    {% set sides = [] %}
    {% for schema, table in relations %}
        {% do sides.append(
            'select ' ~ loop.index0 ~ ' as side, ' ~ bucket ~ ' as bucket, count(*) as row_count, sum('
            ~ expand_contract.hash_expression(columns, text_columns) ~ ') as checksum from '
            ~ expand_contract.ec_relation(schema, table) ~ ' where ' ~ k ~ ' >= ' ~ lower
            ~ ' and ' ~ k ~ ' < ' ~ (lower + width * segments) ~ ' group by 2') %}
    {% endfor %}
    {#- UNION ALL (not a join of two aggregates) lets PostgreSQL scan both sides in parallel. -#}
    {% set sql %}
        with per_side as ({{ sides | join(' union all ') }}),
        compared as (
            select bucket,
                   coalesce(sum(row_count) filter (where side = 0), 0) as rows_a,
                   coalesce(sum(row_count) filter (where side = 1), 0) as rows_b,
                   max(checksum) filter (where side = 0) as checksum_a,
                   max(checksum) filter (where side = 1) as checksum_b
            from per_side group by bucket
        )
        select bucket, rows_a, rows_b, false as is_total from compared
        where checksum_a is distinct from checksum_b or rows_a <> rows_b
        union all
        select null, coalesce(sum(rows_a), 0), coalesce(sum(rows_b), 0), true from compared
    {% endset %}
    {% do expand_contract.tune_scan_session() %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

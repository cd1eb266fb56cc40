{% macro segment_checksums(relations, key, columns, lower, width, segments) %}
    {#- Splits the integer key range [lower, lower + width * segments) into `segments` buckets of
        `width` keys and emits, per relation and bucket, the row count and the sum of row hashes.
        One scan of each relation (an index range scan when the key is indexed). -#}
    {% set k = adapter.quote(key) %}
    {% set lower, width, segments = lower | int, width | int, segments | int %}
    {% set upper = lower + width * segments %}
    {% set bucket = expand_contract.int_divide(k ~ ' - ' ~ lower, width) %}
    {% set parts = [] %}
    {% for schema, table in relations %}
        {% do parts.append(
            'select ' ~ loop.index0 ~ ' as side, ' ~ bucket ~ ' as bucket, count(*) as row_count, '
            ~ 'cast(sum(' ~ expand_contract.hash_expression(columns) ~ ') as varchar) as checksum '
            ~ 'from ' ~ expand_contract.ec_relation(schema, table)
            ~ ' where ' ~ k ~ ' >= ' ~ lower ~ ' and ' ~ k ~ ' < ' ~ upper
            ~ ' group by ' ~ bucket) %}
    {% endfor %}
    {% set rows = expand_contract.rows_as_dicts(run_query(parts | join(' union all '))) %}
    {% do expand_contract.emit_result(rows) %}
{% endmacro %}

{% macro segment_checksums(schema, table, key, columns, lower, width, segments, portable=false) %}
    {#- One level of a segment diff on one relation (for relations in different warehouses, which
        the harness compares itself): per bucket of `width` integer keys in
        [lower, lower + width * segments), the row count and the sum of row hashes over `columns`;
        portable hashes make the sums comparable between DuckDB and PostgreSQL. -#}
    {% set lower, width, segments = lower | int, width | int, segments | int %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set described = [] %}
    {% for column in adapter.get_columns_in_relation(relation) %}
        {% if column.name in columns %}{% do described.append(column) %}{% endif %}
    {% endfor %}
    {% set ordered = [] %}
    {% for name in columns %}{% for column in described if column.name == name %}{% do ordered.append(column) %}{% endfor %}{% endfor %}
    {% set k = adapter.quote(key) %}
    {% set bucket = expand_contract.int_divide(k ~ ' - ' ~ lower, width) %}
    {% do expand_contract.tune_scan_session() %}
    {% set sql = 'select ' ~ bucket ~ ' as bucket, count(*) as row_count, cast(sum('
        ~ expand_contract.row_hash_sql(ordered, portable) ~ ') as varchar) as checksum from ' ~ relation
        ~ ' where ' ~ k ~ ' >= ' ~ lower ~ ' and ' ~ k ~ ' < ' ~ (lower + width * segments) ~ ' group by 1' %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

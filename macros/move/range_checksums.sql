{% macro range_checksums(schema, table, key, columns, exact_columns, lower_bounds) %}
    {#- Per key range of a moved table, its row count and the sum of portable row hashes over
        `columns` (the same numbers the move's data plane computed on the source's batches). Range
        0 holds the keys below lower_bounds[0], range i the keys in [lower_bounds[i-1],
        lower_bounds[i]), the last one every key from the last bound up. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set row_hash = expand_contract._move_row_hash(relation, columns, exact_columns) %}
    {% set bounds = [] %}
    {% for bound in lower_bounds %}{% do bounds.append(bound | int) %}{% endfor %}
    {% do expand_contract.tune_scan_session() %}
    {% set sql = adapter.dispatch('range_checksums_sql', 'expand_contract')(relation, key, row_hash, bounds) %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

{% macro default__range_checksums_sql(relation, key, row_hash, bounds) %}
    {#- DuckDB (and engines without width_bucket over an array): the range number by a binary
        search spelled as nested CASEs, so the scan streams into one small aggregate. -#}
    {% set bucket = expand_contract._move_range_number(adapter.quote(key), bounds, 0) %}
    {{ return('select ' ~ bucket ~ ' as range_no, count(*) as row_count, cast(coalesce(sum(' ~ row_hash ~ '), 0) as varchar) as checksum from '
        ~ relation ~ ' group by 1') }}
{% endmacro %}

{% macro postgres__range_checksums_sql(relation, key, row_hash, bounds) %}
    {#- PostgreSQL: width_bucket over the sorted bounds is the range number (a binary search per
        row), so the whole table is one parallel scan. -#}
    {% set bucket = '0' if not bounds else 'width_bucket(' ~ adapter.quote(key) ~ '::bigint, array[' ~ bounds | join(', ') ~ ']::bigint[])' %}
    {{ return('select ' ~ bucket ~ ' as range_no, count(*) as row_count, coalesce(sum(' ~ row_hash ~ '), 0)::text as checksum from '
        ~ relation ~ ' group by 1') }}
{% endmacro %}

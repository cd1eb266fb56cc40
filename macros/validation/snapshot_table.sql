{% macro snapshot_table(schema, table, taken_at=none, profile=true, portable=false) %}
    {#- Row count, whole-table checksum, and per column its checksum and NULL count; with
        `profile`, also min, max and approximate distinct count: all from one scan (checksum_select). -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {#- No columns means no table: one catalog query instead of two. -#}
    {% set described = adapter.get_columns_in_relation(relation) | sort(attribute='name') %}
    {% if not described %}
        {{ exceptions.raise_compiler_error("EC_MISSING_TABLE: table " ~ relation ~ " does not exist") }}
    {% endif %}
    {% do expand_contract.tune_scan_session() %}
    {% set row = expand_contract.rows_as_dicts(run_query(expand_contract.checksum_select(relation, described, profile, portable)))[0] %}
    {% set estimates = expand_contract.planner_distinct_estimates(schema, table, row.row_count) if profile else {} %}
    {% set columns = {} %}
    {% for column in described %}
        {% set prefix = 'c' ~ loop.index0 %}
        {% set distinct = row[prefix ~ '_distinct'] %}
        {% do columns.update({column.name: {
            'data_type': column.data_type,
            'checksum': row[prefix ~ '_sum'] | string,
            'null_count': row.row_count - row[prefix ~ '_count'],
            'min': row[prefix ~ '_min'],
            'max': row[prefix ~ '_max'],
            'approx_distinct': distinct if distinct is not none else estimates.get(column.name),
        }}) %}
    {% endfor %}
    {% set snapshot = {
        'relation': schema ~ '.' ~ table,
        'adapter': adapter.type(),
        'row_count': row.row_count,
        'table_checksum': row.table_checksum | string,
        'columns': columns,
        'taken_at': taken_at,
        'portable': portable,
    } %}
    {% do expand_contract.emit_result(snapshot) %}
    {{ return(snapshot) }}
{% endmacro %}

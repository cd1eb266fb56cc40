{% macro snapshot_table(schema, table, taken_at=none) %}
    {#- Row count, whole-table checksum and per-column checksum + NULL count, all from one scan. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set found = adapter.get_relation(database=target.database, schema=schema, identifier=table) %}
    {% if not found %}
        {{ exceptions.raise_compiler_error("EC_MISSING_TABLE: table " ~ relation ~ " does not exist") }}
    {% endif %}
    {% set described = adapter.get_columns_in_relation(found) %}
    {% set names = [] %}
    {% set types = {} %}
    {% for column in described | sort(attribute='name') %}
        {% do names.append(column.name) %}
        {% do types.update({column.name: column.data_type}) %}
    {% endfor %}
    {% set text_columns = expand_contract.text_hashed_columns(described) %}
    {% do expand_contract.tune_scan_session() %}
    {% set row = expand_contract.rows_as_dicts(run_query(expand_contract.checksum_select(relation, names, text_columns)))[0] %}
    {% set columns = {} %}
    {% for name in names %}
        {% do columns.update({name: {
            'data_type': types[name],
            'checksum': row['c' ~ loop.index0 ~ '_sum'] | string,
            'null_count': row.row_count - row['c' ~ loop.index0 ~ '_count'],
        }}) %}
    {% endfor %}
    {% set snapshot = {
        'relation': schema ~ '.' ~ table,
        'adapter': adapter.type(),
        'row_count': row.row_count,
        'table_checksum': row.table_checksum | string,
        'columns': columns,
        'taken_at': taken_at,
    } %}
    {% do expand_contract.emit_result(snapshot) %}
    {{ return(snapshot) }}
{% endmacro %}

{% macro fetch_key_ranges(schema, table, key, columns, ranges) %}
    {#- The rows of one relation within the given key ranges, each value as portable_text, so rows
        fetched from DuckDB and PostgreSQL compare equal when their data is equal. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set k = adapter.quote(key) %}
    {% set in_ranges = [] %}
    {% for lower, upper in ranges %}
        {% do in_ranges.append('(' ~ k ~ ' >= ' ~ (lower | int) ~ ' and ' ~ k ~ ' < ' ~ (upper | int) ~ ')') %}
    {% endfor %}
    {% set picked = [k ~ ' as key__'] %}
    {% for column in adapter.get_columns_in_relation(relation) if column.name in columns %}
        {% do picked.append(expand_contract.portable_text(column.name, column.data_type) ~ ' as ' ~ adapter.quote(column.name)) %}
    {% endfor %}
    {% set sql = 'select ' ~ picked | join(', ') ~ ' from ' ~ relation ~ ' where ' ~ in_ranges | join(' or ') %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

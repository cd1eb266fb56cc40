{% macro fetch_key_range(relations, key, columns, lower, upper) %}
    {#- The rows with lower <= key < upper of each relation (the leaves of a segment diff), as
        JSON-safe values, so the harness can name each differing key and column. -#}
    {% set k = adapter.quote(key) %}
    {% set lower, upper = lower | int, upper | int %}
    {% set result = [] %}
    {% for schema, table in relations %}
        {% set sql = 'select ' ~ expand_contract.quote_all(columns) | join(', ') ~ ' from '
            ~ expand_contract.ec_relation(schema, table)
            ~ ' where ' ~ k ~ ' >= ' ~ lower ~ ' and ' ~ k ~ ' < ' ~ upper ~ ' order by ' ~ k %}
        {% do result.append(expand_contract.rows_as_dicts(run_query(sql))) %}
    {% endfor %}
    {% do expand_contract.emit_result(result) %}
{% endmacro %}

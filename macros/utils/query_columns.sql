{% macro query_columns(sql) %}
    {#- The names of the columns a SELECT returns, in order, without reading its rows (dbt's
        get_columns_in_query runs it under `where false`). Emits {columns}. -#}
    {% do expand_contract.emit_result({'columns': get_columns_in_query(sql)}) %}
{% endmacro %}

{% macro approx_distinct_expression(column) %}
    {{ return(adapter.dispatch('approx_distinct_expression', 'expand_contract')(column)) }}
{% endmacro %}

{% macro default__approx_distinct_expression(column) %}
    {#- No cheap estimate in the scan: read from the planner's statistics afterwards (see snapshot_table). -#}
    {{ return('null') }}
{% endmacro %}

{% macro duckdb__approx_distinct_expression(column) %}
    {#- HyperLogLog, computed in the same scan. -#}
    {{ return('approx_count_distinct(' ~ adapter.quote(column) ~ ')') }}
{% endmacro %}

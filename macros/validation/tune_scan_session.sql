{% macro tune_scan_session() %}
    {{ return(adapter.dispatch('tune_scan_session', 'expand_contract')()) }}
{% endmacro %}

{% macro default__tune_scan_session() %}
{% endmacro %}

{% macro postgres__tune_scan_session() %}
    {#- Checksum scans are simple aggregates: JIT compilation costs more (~150 ms) than it saves. -#}
    {% do run_query('set jit = off') %}
{% endmacro %}

{% macro emit_result(value) %}
    {#- The harness listens for this marker in dbt's event stream; `dbt run-operation` users see it in the debug log. -#}
    {% do log('EXPAND_CONTRACT_RESULT ' ~ tojson(value), info=false) %}
{% endmacro %}

{% macro call_macros(calls) %}
    {#- Several of the package's reading macros in one invocation, in order ([{macro, kwargs}, ...]);
        each emits its own result, so the harness reads them back in the same order. One dbt
        invocation costs more than most of these queries: validation asks its questions together. -#}
    {% for call in calls %}
        {% set found = expand_contract.get(call.macro) %}
        {% if found is none %}
            {% do exceptions.raise_compiler_error('call_macros: the package has no macro ' ~ call.macro) %}
        {% endif %}
        {% do found(**call.kwargs) %}
    {% endfor %}
{% endmacro %}

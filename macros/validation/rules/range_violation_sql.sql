{% macro range_violation_sql(rule) %}
    {{ return(adapter.dispatch('range_violation_sql', 'expand_contract')(rule)) }}
{% endmacro %}

{% macro default__range_violation_sql(rule) %}
    {% set c = adapter.quote(rule.column) %}
    {% set bounds = [] %}
    {% if rule.get('min') is not none %}{% do bounds.append(c ~ ' < ' ~ expand_contract.sql_literal(rule['min'])) %}{% endif %}
    {% if rule.get('max') is not none %}{% do bounds.append(c ~ ' > ' ~ expand_contract.sql_literal(rule['max'])) %}{% endif %}
    {{ return(bounds | join(' or ')) }}
{% endmacro %}

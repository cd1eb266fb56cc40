{% macro alteration_statements(relation, alterations) %}
    {#- ALTER TABLE statements for a list of alterations ({kind, ...}), each safe to run again:
        columns are added `if not exists`, constraints dropped `if exists` before they are added.
        Each kind is one macro, `<kind>_sql(relation, step)` (macros/operations/alterations/), which
        dispatches per adapter; it is looked up by name (dbt's parser wants a literal name in
        adapter.dispatch), and a kind is known when it has a default__ implementation. -#}
    {% set statements = [] %}
    {% for step in alterations %}
        {% set kind_sql = expand_contract.get(step.kind ~ '_sql') %}
        {% if kind_sql is none or expand_contract.get('default__' ~ step.kind ~ '_sql') is none %}
            {% do exceptions.raise_compiler_error('unknown alteration kind: ' ~ step.kind) %}
        {% endif %}
        {% do statements.extend(kind_sql(relation, step)) %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

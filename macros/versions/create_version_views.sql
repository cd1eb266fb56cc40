{% macro create_version_views(schema, table, versions, aliases={}, sources={}, current=none) %}
    {#- Creates the versioned views (see version_view_statements) and, with `current`, points
        `<table>_current` at that version, in one transaction. -#}
    {% set statements = expand_contract.version_view_statements(schema, table, versions, aliases, sources) %}
    {% if current %}
        {% do statements.extend(expand_contract.switch_version_statements(schema, table, current)) %}
    {% endif %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

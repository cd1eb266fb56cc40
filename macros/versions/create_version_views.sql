{% macro create_version_views(schema, table, versions, aliases={}, sources={}, current=none, writer=none) %}
    {#- Creates the versioned views (see version_view_statements) and, with `current`, points
        `<table>_current` at that version, in one transaction (`<table>_current` is dropped first:
        it may select from a view re-created here); `writer`: see version_view_statements. -#}
    {% set statements = [] %}
    {% if current %}
        {% set switch = expand_contract.switch_version_statements(schema, table, current) %}
        {% do statements.append(switch[0]) %}
    {% endif %}
    {% do statements.extend(expand_contract.version_view_statements(schema, table, versions, aliases, sources, writer)) %}
    {% if current %}
        {% do statements.extend(switch[1:]) %}
    {% endif %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro create_version_views(schema, table, versions, aliases={}, sources={}) %}
    {#- Creates the versioned views (see version_view_statements) in one transaction. -#}
    {% do expand_contract.run_in_transaction(expand_contract.version_view_statements(schema, table, versions, aliases, sources)) %}
{% endmacro %}

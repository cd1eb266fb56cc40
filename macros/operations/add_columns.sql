{% macro add_columns(schema, table, columns) %}
    {#- Expand: adds nullable columns ({name: data_type}); metadata-only on both adapters, no rewrite. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = [] %}
    {% for name, data_type in columns.items() %}
        {% do statements.append('alter table ' ~ relation ~ ' add column ' ~ adapter.quote(name) ~ ' ' ~ data_type) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro create_table_statement(schema, spec) %}
    {#- `create table if not exists` for a create_table operation ({table, columns, primary_key}). -#}
    {% set parts = [] %}
    {% for name, data_type in spec.columns.items() %}
        {% do parts.append(adapter.quote(name) ~ ' ' ~ data_type) %}
    {% endfor %}
    {% if spec.primary_key %}
        {% do parts.append('primary key (' ~ expand_contract.quote_all(spec.primary_key) | join(', ') ~ ')') %}
    {% endif %}
    {{ return('create table if not exists ' ~ expand_contract.ec_relation(schema, spec.table) ~ ' (' ~ parts | join(', ') ~ ')') }}
{% endmacro %}

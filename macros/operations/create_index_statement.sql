{% macro create_index_statement(schema, table, name, columns, unique, how) %}
    {{ return('create ' ~ ('unique ' if unique else '') ~ 'index ' ~ how ~ ' if not exists ' ~ adapter.quote(name)
        ~ ' on ' ~ expand_contract.ec_relation(schema, table) ~ ' (' ~ expand_contract.quote_all(columns) | join(', ') ~ ')') }}
{% endmacro %}

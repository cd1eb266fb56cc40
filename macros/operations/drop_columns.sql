{% macro drop_columns(schema, table, columns, if_exists=false) %}
    {{ return(adapter.dispatch('drop_columns', 'expand_contract')(schema, table, columns, if_exists)) }}
{% endmacro %}

{% macro default__drop_columns(schema, table, columns, if_exists) %}
    {#- Contract (or undo of an expand): drops columns in one transaction. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = [] %}
    {% for name in columns %}
        {% do statements.append('alter table ' ~ relation ~ ' drop column ' ~ ('if exists ' if if_exists else '') ~ adapter.quote(name)) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

{% macro alter_table(schema, table, alterations, create_tables=[], rewrite=none) %}
    {#- Expand or settle: the alterations, and any new tables (a rewrite's included), in one
        transaction under lock_timeout; either all take effect or none. Safe to run again after a crash. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = expand_contract.alteration_statements(relation, alterations) %}
    {% for spec in create_tables %}
        {% do statements.extend(expand_contract.create_table_statements(schema, spec)) %}
    {% endfor %}
    {% if rewrite %}
        {% do statements.append(expand_contract.rewrite_table_statement(schema, rewrite)) %}
    {% endif %}
    {% if statements %}
        {% do expand_contract.run_alterations(schema, table, statements) %}
    {% endif %}
    {% do expand_contract.emit_result({'statements': statements | length}) %}
{% endmacro %}

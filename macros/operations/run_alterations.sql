{% macro run_alterations(schema, table, statements) %}
    {#- Runs alteration statements, each transaction of alteration_transactions in turn. -#}
    {% for transaction in expand_contract.alteration_transactions(schema, table, statements) %}
        {% do expand_contract.run_in_transaction(transaction) %}
    {% endfor %}
{% endmacro %}

{% macro alteration_transactions(schema, table, statements) %}
    {{ return(adapter.dispatch('alteration_transactions', 'expand_contract')(schema, table, statements)) }}
{% endmacro %}

{% macro default__alteration_transactions(schema, table, statements) %}
    {#- One transaction under lock_timeout: every statement takes effect or none does. -#}
    {{ return([statements] if statements else []) }}
{% endmacro %}

{% macro duckdb__alteration_transactions(schema, table, statements) %}
    {#- DuckDB refuses to alter a column of a table that has an index besides its primary key
        ("Dependency Error"), except to add one. Then the table's indexes are dropped in the
        alterations' transaction and created again in a second one, from the statements DuckDB
        recorded for them (their names cannot be reused in the same transaction). The file is
        locked by this process meanwhile: no other writer sees the table without its indexes. -#}
    {% set lit = expand_contract.sql_literal %}
    {% set blocked = [] %}
    {% for statement in statements %}
        {% set lowered = statement | lower %}
        {% if lowered.startswith('alter table') and ' add column ' not in lowered %}{% do blocked.append(statement) %}{% endif %}
    {% endfor %}
    {% set indexes = [] %}
    {% if blocked %}
        {% set found = run_query('select index_name, sql from duckdb_indexes() where database_name = current_database()'
            ~ ' and schema_name = ' ~ lit(schema) ~ ' and table_name = ' ~ lit(table) ~ ' and sql is not null') %}
        {% set indexes = expand_contract.rows_as_dicts(found) %}
    {% endif %}
    {% set drops, creates = [], [] %}
    {% for index in indexes %}
        {% do drops.append('drop index ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(index.index_name)) %}
        {% do creates.append(index.sql.rstrip(';')) %}
    {% endfor %}
    {{ return(([drops + statements] if statements else []) + ([creates] if creates else [])) }}
{% endmacro %}

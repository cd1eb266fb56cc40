{% macro drop_created_table(schema, table, aside_schema=none, aside_table=none) %}
    {{ return(adapter.dispatch('drop_created_table', 'expand_contract')(schema, table, aside_schema, aside_table)) }}
{% endmacro %}

{% macro default__drop_created_table(schema, table, aside_schema, aside_table) %}
    {#- Drops a table a migration created, losing no row: without `aside_*` only if it is empty
        (else the error EC_NOT_EMPTY), with them after copying its rows there. DuckDB: one
        writing process per file, so nobody writes between the check and the drop. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% if aside_table %}
        {% do adapter.create_schema(api.Relation.create(database=target.database, schema=aside_schema)) %}
        {% do expand_contract.run_in_transaction(
            expand_contract.copy_table_statements(relation, expand_contract.ec_relation(aside_schema, aside_table))
            + ['drop table ' ~ relation]) %}
    {% else %}
        {% set rows = run_query('select count(*) from ' ~ relation).columns[0].values()[0] %}
        {% if rows %}
            {% do exceptions.raise_compiler_error('EC_NOT_EMPTY: ' ~ schema ~ '.' ~ table ~ ' holds ' ~ rows ~ ' row(s)') %}
        {% endif %}
        {% do run_query('drop table ' ~ relation) %}
    {% endif %}
{% endmacro %}

{% macro postgres__drop_created_table(schema, table, aside_schema, aside_table) %}
    {#- One transaction that first locks the table (ACCESS EXCLUSIVE, under lock_timeout), so no
        write lands between the check (or the copy) and the drop. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = ['lock table ' ~ relation ~ ' in access exclusive mode'] %}
    {% if aside_table %}
        {% do adapter.create_schema(api.Relation.create(database=target.database, schema=aside_schema)) %}
        {% do statements.extend(expand_contract.copy_table_statements(relation,
                                expand_contract.ec_relation(aside_schema, aside_table))) %}
    {% else %}
        {% do statements.append('do $ec$ begin if exists (select 1 from ' ~ relation ~ ") then raise exception "
            ~ "'EC_NOT_EMPTY: %.% holds rows', " ~ expand_contract.sql_literal(schema) ~ ', '
            ~ expand_contract.sql_literal(table) ~ '; end if; end $ec$') %}
    {% endif %}
    {% do statements.append('drop table ' ~ relation) %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

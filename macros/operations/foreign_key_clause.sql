{% macro foreign_key_clause(schema, columns, parent_table, parent_columns, on_delete='no action') %}
    {#- `foreign key (...) references <schema>.<parent> (...) [on delete ...]`, as a new table declares
        it or ALTER TABLE adds it; the parent schema-qualified only (see ec_referenced). -#}
    {{ return('foreign key (' ~ expand_contract.quote_all(columns) | join(', ') ~ ') references '
        ~ expand_contract.ec_referenced(schema, parent_table) ~ ' (' ~ expand_contract.quote_all(parent_columns) | join(', ') ~ ')'
        ~ (' on delete ' ~ on_delete if on_delete and on_delete != 'no action' else '')) }}
{% endmacro %}

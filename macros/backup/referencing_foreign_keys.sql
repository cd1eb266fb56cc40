{% macro referencing_foreign_keys(relation) %}
    {#- PostgreSQL's catalog: the foreign keys of other tables that point at `relation` (none if it
        does not exist), each {child, name, quoted, definition, child_columns (r.<col>, ...),
        parent_columns (b.<col>, ...)}. Read by restore_facts (rows that would point at nothing)
        and restore_transactions (taken off and put back around the reload). -#}
    {% set regclass = 'to_regclass(' ~ expand_contract.sql_literal(relation | string) ~ ')' %}
    {% set sql %}
        select c.conrelid::regclass::text as child, c.conname as name, quote_ident(c.conname) as quoted,
               pg_get_constraintdef(c.oid) as definition,
               (select string_agg('r.' || quote_ident(a.attname), ', ' order by k.i)
                from unnest(c.conkey) with ordinality as k(n, i)
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n) as child_columns,
               (select string_agg('b.' || quote_ident(a.attname), ', ' order by k.i)
                from unnest(c.confkey) with ordinality as k(n, i)
                join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n) as parent_columns
        from pg_constraint c
        where c.contype = 'f' and c.confrelid = {{ regclass }} and c.conrelid <> c.confrelid
        order by c.conname
    {% endset %}
    {{ return(expand_contract.rows_as_dicts(run_query(sql))) }}
{% endmacro %}

{% macro constraint_exists(relation, name) %}
    {#- Whether `relation` has a constraint named `name` (PostgreSQL's catalog; ADD CONSTRAINT has no IF NOT EXISTS). -#}
    {% set found = run_query("select count(*) from pg_constraint where conname = " ~ expand_contract.sql_literal(name)
        ~ " and conrelid = " ~ expand_contract.sql_literal(relation | string) ~ "::regclass") %}
    {{ return(found.rows[0][0] > 0) }}
{% endmacro %}

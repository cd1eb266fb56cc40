{% macro set_comment_sql(relation, step) %}
    {{ return(adapter.dispatch('set_comment_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__set_comment_sql(relation, step) %}
    {#- COMMENT ON COLUMN (PostgreSQL and DuckDB); a NULL comment removes it. Metadata only. -#}
    {{ return(['comment on column ' ~ relation ~ '.' ~ adapter.quote(step.column) ~ ' is '
               ~ expand_contract.sql_literal(step.comment)]) }}
{% endmacro %}

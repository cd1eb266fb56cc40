{% macro drop_harness_table(schema, table) %}
    {#- Drops a table the harness made (a verification scratch copy, an old backup). -#}
    {% do run_query('drop table if exists ' ~ expand_contract.ec_relation(schema, table)) %}
{% endmacro %}

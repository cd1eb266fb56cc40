{% macro check_expression(schema, table, expression, data_type) %}
    {#- Evaluates an operation's `up` (cast to its type) over every row, reading only: a bad column
        name or a value that cannot be cast fails here, before anything is changed. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set row = expand_contract.rows_as_dicts(run_query(
        'select count(*) as row_count, count(cast((' ~ expression ~ ') as ' ~ data_type ~ ')) as non_null
         from ' ~ relation))[0] %}
    {% do expand_contract.emit_result(row) %}
    {{ return(row) }}
{% endmacro %}

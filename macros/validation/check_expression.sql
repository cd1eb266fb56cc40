{% macro check_expression(schema, table, expression, data_type, shape=none) %}
    {#- Evaluates an operation's expression (cast to its type) over every row, reading only: a bad
        column name or a value that cannot be cast fails here, before anything is changed. With
        `shape` ([{name, column} or {name, expression, data_type}, ...]) it is evaluated over rows of that shape computed from
        the table, e.g. a `down` over the new shape as `up` would fill it. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set source = relation %}
    {% if shape %}
        {% set selected = [] %}
        {% for field in shape %}
            {% if field.column %}
                {% do selected.append(adapter.quote(field.column) ~ ' as ' ~ adapter.quote(field.name)) %}
            {% else %}
                {% do selected.append('cast((' ~ (field.expression or 'null') ~ ') as ' ~ field.data_type ~ ') as ' ~ adapter.quote(field.name)) %}
            {% endif %}
        {% endfor %}
        {% set source = '(select ' ~ selected | join(', ') ~ ' from ' ~ relation ~ ') as ec_row' %}
    {% endif %}
    {% set row = expand_contract.rows_as_dicts(run_query(
        'select count(*) as row_count, count(cast((' ~ expression ~ ') as ' ~ data_type ~ ')) as non_null
         from ' ~ source))[0] %}
    {% do expand_contract.emit_result(row) %}
    {{ return(row) }}
{% endmacro %}

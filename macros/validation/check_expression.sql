{% macro check_expression(schema, table, expression, data_type, shape=none, key=[]) %}
    {#- Evaluates an operation's expression (cast to its type) over every row, reading only: a bad
        column name or a value that cannot be cast fails here, before anything is changed. With
        `shape` ([{name, column} or {name, expression, data_type}, ...]) it is evaluated over rows of that shape computed from
        the table, e.g. a `down` over the new shape as `up` would fill it. For a character type with
        a length, also counts the values too long for it (`too_long`, with the `key` of one such
        row): storing them would fail, and an explicit cast would cut them short silently. -#}
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
    {% set length = expand_contract.character_length(data_type) %}
    {% set too_long = ('length(cast((' ~ expression ~ ') as varchar)) > ' ~ length) if length is not none else 'false' %}
    {% set row = expand_contract.rows_as_dicts(run_query(
        'select count(*) as row_count, count(cast((' ~ expression ~ ') as ' ~ data_type ~ ')) as non_null,
         count(case when ' ~ too_long ~ ' then 1 end) as too_long from ' ~ source))[0] %}
    {% do row.update({'max_length': length, 'example_key': none}) %}
    {% if row.too_long and key %}
        {% set example = run_query('select ' ~ expand_contract.quote_all(key) | join(', ') ~ ' from ' ~ source
            ~ ' where ' ~ too_long ~ ' limit 1') %}
        {% do row.update({'example_key': example.rows[0] | list}) %}
    {% endif %}
    {% do expand_contract.emit_result(row) %}
    {{ return(row) }}
{% endmacro %}

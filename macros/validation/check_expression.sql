{% macro check_expression(schema, table, expression, data_type, shape=none, key=[], must_hold=false) %}
    {#- Evaluates an operation's expression (cast to its type) over every row, reading only: a bad
        column name or a value that cannot be cast fails here, before anything is changed. With
        `shape` ([{name, column} or {name, expression, data_type}, ...]) it is evaluated over rows of that shape computed from
        the table, e.g. a `down` over the new shape as `up` would fill it. For a character type with
        a length, also counts the values too long for it (`too_long`): storing them would fail, and
        an explicit cast would cut them short silently. With `must_hold` (a boolean check), counts
        the rows where it is false (`violations`; NULL passes, as in a CHECK constraint). The `key`
        of one offending row is returned as `example_key`. -#}
    {% set source = expand_contract.shape_source(schema, table, shape) %}
    {% set length = expand_contract.character_length(data_type) %}
    {% set too_long = ('length(cast((' ~ expression ~ ') as varchar)) > ' ~ length) if length is not none else 'false' %}
    {% set violated = ('not (' ~ expression ~ ')') if must_hold else 'false' %}
    {% set row = expand_contract.rows_as_dicts(run_query(
        'select count(*) as row_count, count(cast((' ~ expression ~ ') as ' ~ data_type ~ ')) as non_null,
         count(case when ' ~ too_long ~ ' then 1 end) as too_long,
         count(case when ' ~ violated ~ ' then 1 end) as violations from ' ~ source))[0] %}
    {% do row.update({'max_length': length, 'example_key': none}) %}
    {% if (row.too_long or row.violations) and key %}
        {% set example = run_query('select ' ~ expand_contract.quote_all(key) | join(', ') ~ ' from ' ~ source
            ~ ' where ' ~ (too_long if row.too_long else violated) ~ ' limit 1') %}
        {% do row.update({'example_key': example.rows[0] | list}) %}
    {% endif %}
    {% do expand_contract.emit_result(row) %}
    {{ return(row) }}
{% endmacro %}

{% macro shape_source(schema, table, shape=none) %}
    {#- The table, or with `shape` ([{name, column} or {name, expression, data_type}, ...]) a
        subquery giving rows of that shape computed from it (alias ec_row). -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% if not shape %}{{ return(relation) }}{% endif %}
    {% set selected = [] %}
    {% for field in shape %}
        {% if field.column %}
            {% do selected.append(adapter.quote(field.column) ~ ' as ' ~ adapter.quote(field.name)) %}
        {% else %}
            {% do selected.append('cast((' ~ (field.expression or 'null') ~ ') as ' ~ field.data_type ~ ') as ' ~ adapter.quote(field.name)) %}
        {% endif %}
    {% endfor %}
    {{ return('(select ' ~ selected | join(', ') ~ ' from ' ~ relation ~ ') as ec_row') }}
{% endmacro %}

{% macro count_duplicate_values(schema, table, columns, shape=none) %}
    {#- How many value combinations of `columns` (over `shape`, see shape_source) occur more than
        once with none of them NULL (what a unique constraint refuses), and the first such values
        (`example`). Reads only. -#}
    {% set source = expand_contract.shape_source(schema, table, shape) %}
    {% set quoted = expand_contract.quote_all(columns) %}
    {% set present = [] %}
    {% for column in quoted %}{% do present.append(column ~ ' is not null') %}{% endfor %}
    {% set grouped = 'select ' ~ quoted | join(', ') ~ ' from ' ~ source ~ ' where ' ~ present | join(' and ')
        ~ ' group by ' ~ quoted | join(', ') ~ ' having count(*) > 1' %}
    {% set found = run_query('select count(*) from (' ~ grouped ~ ') as ec_duplicates') %}
    {% set result = {'duplicates': found.rows[0][0] | int, 'example': none} %}
    {% if result.duplicates %}
        {% set example = run_query(grouped ~ ' order by ' ~ quoted | join(', ') ~ ' limit 1') %}
        {% do result.update({'example': example.rows[0] | list}) %}
    {% endif %}
    {% do expand_contract.emit_result(result) %}
    {{ return(result) }}
{% endmacro %}

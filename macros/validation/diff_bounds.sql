{% macro diff_bounds(relations, key) %}
    {#- What a segment diff starts from, in one round trip: each relation's columns and the min and
        max of the integer key (an index-only lookup when the key is indexed). A relation that
        does not exist, or lacks the key, is reported (`exists`, `columns`) instead of failing. -#}
    {% set sides = [] %}
    {% set bounds = [] %}
    {% for schema, table in relations %}
        {% set found = adapter.get_relation(database=target.database, schema=schema, identifier=table) %}
        {% set names = [] %}
        {% if found %}
            {% for column in adapter.get_columns_in_relation(found) %}{% do names.append(column.name) %}{% endfor %}
        {% endif %}
        {% do sides.append({'exists': found is not none, 'columns': names}) %}
        {% if key in names %}
            {% do bounds.append('select ' ~ loop.index0 ~ ' as side, min(' ~ adapter.quote(key) ~ ') as min_key, max('
                ~ adapter.quote(key) ~ ') as max_key from ' ~ found) %}
        {% endif %}
    {% endfor %}
    {% if bounds | length == relations | length %}
        {% for row in expand_contract.rows_as_dicts(run_query(bounds | join(' union all ') ~ ' order by 1')) %}
            {% do sides[row.side].update({'min_key': row.min_key, 'max_key': row.max_key}) %}
        {% endfor %}
    {% endif %}
    {% do expand_contract.emit_result(sides) %}
{% endmacro %}

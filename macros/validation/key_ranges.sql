{% macro key_ranges(relations, key) %}
    {#- Min, max and row count of an integer key in each relation, one round trip. -#}
    {% set parts = [] %}
    {% for schema, table in relations %}
        {% do parts.append(
            'select ' ~ loop.index0 ~ ' as side, min(' ~ adapter.quote(key) ~ ') as min_key, max('
            ~ adapter.quote(key) ~ ') as max_key, count(*) as row_count from '
            ~ expand_contract.ec_relation(schema, table)) %}
    {% endfor %}
    {% set rows = expand_contract.rows_as_dicts(run_query(parts | join(' union all ') ~ ' order by side')) %}
    {% do expand_contract.emit_result(rows) %}
{% endmacro %}

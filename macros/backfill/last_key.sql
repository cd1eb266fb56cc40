{% macro last_key(schema, table, key) %}
    {#- The table's last key in key order (a list, one value per key column), or none when it is
        empty: the backfill's upper bound, taken when it starts. Rows written after it (a writer
        appending new keys) get their new-shape values from the sync trigger or a default, so the
        backfill never chases them. -#}
    {% set keys = expand_contract.quote_all(key) %}
    {% set descending = [] %}
    {% for k in keys %}{% do descending.append(k ~ ' desc') %}{% endfor %}
    {% set found = expand_contract.rows_as_dicts(run_query('select ' ~ keys | join(', ') ~ ' from '
        ~ expand_contract.ec_relation(schema, table) ~ ' order by ' ~ descending | join(', ') ~ ' limit 1')) %}
    {% set last = [] %}
    {% if found %}
        {% for k in key %}{% do last.append(found[0][k | lower]) %}{% endfor %}
    {% endif %}
    {% do expand_contract.emit_result({'last_key': last if found else none}) %}
{% endmacro %}

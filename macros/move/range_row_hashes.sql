{% macro range_row_hashes(schema, table, key_columns, columns, exact_columns, key, lower=none, upper=none) %}
    {#- The rows of one key range of a moved table ([lower, upper) of `key`; none: unbounded), each
        as its key columns' portable text and its portable row hash: what the move compares with the
        source's rows to name the keys that differ. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set row_hash = expand_contract._move_row_hash(relation, columns, exact_columns) %}
    {% set k = adapter.quote(key) %}
    {% set picked = [] %}
    {% for name in key_columns %}
        {% do picked.append(expand_contract.portable_text(name, 'varchar') ~ ' as key_' ~ loop.index0) %}
    {% endfor %}
    {% set where = ['1 = 1'] %}
    {% if lower is not none %}{% do where.append(k ~ ' >= ' ~ (lower | int)) %}{% endif %}
    {% if upper is not none %}{% do where.append(k ~ ' < ' ~ (upper | int)) %}{% endif %}
    {% set sql = 'select ' ~ picked | join(', ') ~ ', cast(' ~ row_hash ~ ' as varchar) as row_hash from ' ~ relation
        ~ ' where ' ~ where | join(' and ') %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

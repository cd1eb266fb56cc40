{% macro differing_rows(relations, key, columns, ranges) %}
    {#- The leaves of a segment diff: within the key ranges [lower, upper), the rows present on one
        side only or whose row hash differs, with both sides' values (columns `a__<name>` and
        `b__<name>`, NULL where the side has no row). Only differing rows leave the warehouse. -#}
    {% set k = adapter.quote(key) %}
    {% set in_ranges = [] %}
    {% for lower, upper in ranges %}
        {% do in_ranges.append('(' ~ k ~ ' >= ' ~ (lower | int) ~ ' and ' ~ k ~ ' < ' ~ (upper | int) ~ ')') %}
    {% endfor %}
    {% set text_columns = expand_contract.text_hashed_columns(adapter.get_columns_in_relation(
        expand_contract.ec_relation(relations[0][0], relations[0][1]))) %}
    {% set quoted = expand_contract.quote_all(columns) %}
    {% set picked = [] %}
    {% for side in ['a', 'b'] %}
        {% for column in columns %}
            {% do picked.append(side ~ '.' ~ quoted[loop.index0] ~ ' as ' ~ adapter.quote(side ~ '__' ~ column)) %}
        {% endfor %}
    {% endfor %}
    {% set sql %}
        with a as (
            select {{ quoted | join(', ') }}, {{ expand_contract.hash_expression(columns, text_columns) }} as row_hash__
            from {{ expand_contract.ec_relation(relations[0][0], relations[0][1]) }} where {{ in_ranges | join(' or ') }}
        ),
        b as (
            select {{ quoted | join(', ') }}, {{ expand_contract.hash_expression(columns, text_columns) }} as row_hash__
            from {{ expand_contract.ec_relation(relations[1][0], relations[1][1]) }} where {{ in_ranges | join(' or ') }}
        )
        select {{ picked | join(', ') }}
        from a full outer join b on a.{{ k }} = b.{{ k }}
        where a.row_hash__ is distinct from b.row_hash__
    {% endset %}
    {% do expand_contract.tune_scan_session() %}
    {% do expand_contract.emit_result(expand_contract.rows_as_dicts(run_query(sql))) %}
{% endmacro %}

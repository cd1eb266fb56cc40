{% macro compare_rows_by_key(source_schema, source_table, target_schema, target_table, key, columns, sample_size=none, recent_column=none, recent_hours=none) %}
    {#- Field-by-field comparison of source rows with the target rows of the same key, over either
        `sample_size` random source rows or the source rows whose `recent_column` falls within the
        last `recent_hours`. Emits the rows compared, the rows missing from the target, the rows
        with at least one differing column, and up to 10 of the keys concerned. -#}
    {% set source = expand_contract.ec_relation(source_schema, source_table) %}
    {% set target_rel = expand_contract.ec_relation(target_schema, target_table) %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set key_tuple = '(' ~ keys | join(', ') ~ ')' %}
    {% if recent_column %}
        {% set picked = adapter.quote(recent_column) ~ ' >= cast(current_timestamp as timestamp) - interval '
            ~ expand_contract.sql_literal((recent_hours | int) ~ ' hours') %}
    {% else %}
        {#- Draw the random keys once, so that every figure below speaks of the same rows. -#}
        {% set drawn = run_query('select ' ~ keys | join(', ') ~ ' from ' ~ source ~ ' order by random() limit ' ~ (sample_size | int)) %}
        {% set tuples = [] %}
        {% for row in drawn.rows %}
            {% do tuples.append('(' ~ expand_contract.sql_literal_list(row.values()) ~ ')') %}
        {% endfor %}
        {% set picked = (key_tuple ~ ' in (' ~ tuples | join(', ') ~ ')') if tuples else 'false' %}
    {% endif %}
    {% set join_on = [] %}
    {% for k in keys %}{% do join_on.append('t.' ~ k ~ ' = s.' ~ k) %}{% endfor %}
    {% set differs = [] %}
    {% for column in expand_contract.quote_all(columns) %}
        {% do differs.append('t.' ~ column ~ ' is distinct from s.' ~ column) %}
    {% endfor %}
    {% set compared %}
        select s.{{ keys[0] }} as first_key, t.{{ keys[0] }} is null as missing,
               {{ ('(' ~ differs | join(' or ') ~ ')') if differs else 'false' }} as differing
        from (select * from {{ source }} where {{ picked }}) s
        left join {{ target_rel }} t on {{ join_on | join(' and ') }}
    {% endset %}
    {% set totals = expand_contract.rows_as_dicts(run_query(
        'select count(*) as compared, count(case when missing then 1 end) as missing,
                count(case when not missing and differing then 1 end) as differing
         from (' ~ compared ~ ') c'))[0] %}
    {% set sample = expand_contract.rows_as_dicts(run_query(
        'select first_key from (' ~ compared ~ ') c where missing or differing order by 1 limit 10')) %}
    {% do totals.update({'sample': sample | map(attribute='first_key') | list}) %}
    {% do expand_contract.emit_result(totals) %}
{% endmacro %}

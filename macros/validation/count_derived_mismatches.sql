{% macro count_derived_mismatches(source_schema, source_table, target_schema, target_table, key, column, expression, data_type, volatile=false) %}
    {#- Rows whose `column` in target differs from `expression` evaluated on the matching source row
        (matched by key, NULL-safe); recomputes the expected value in SQL instead of trusting the backfill.
        With `volatile` (an expression that gives another value each time: now(), random()), the
        rows where the column is NULL although the expression gives a value, or a row is missing. -#}
    {% set source = expand_contract.ec_relation(source_schema, source_table) %}
    {% set target_rel = expand_contract.ec_relation(target_schema, target_table) %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set join_on = [] %}
    {% for k in keys %}{% do join_on.append('e.' ~ k ~ ' = a.' ~ k) %}{% endfor %}
    {% set sql %}
        with expected as (
            select {{ keys | join(', ') }}, {{ expand_contract.assign_cast(expression, data_type) }} as expected_value
            from {{ source }}
        ),
        actual as (
            select {{ keys | join(', ') }}, {{ adapter.quote(column) }} as actual_value
            from {{ target_rel }}
        )
        select count(*) as mismatches
        from expected e
        full outer join actual a on {{ join_on | join(' and ') }}
        {% if volatile %}
        where e.{{ keys[0] }} is null or a.{{ keys[0] }} is null
           or (a.actual_value is null and e.expected_value is not null)
        {% else %}
        where e.expected_value is distinct from a.actual_value
        {% endif %}
    {% endset %}
    {% set mismatches = expand_contract.rows_as_dicts(run_query(sql))[0].mismatches %}
    {% do expand_contract.emit_result({'mismatches': mismatches}) %}
    {{ return(mismatches) }}
{% endmacro %}

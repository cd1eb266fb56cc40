{% macro count_violations(schema, table, rules) %}
    {#- Counts, in one scan, the rows breaking each domain rule of the checklist. `rules` is a list
        of {name, kind, column, ...}: kind `accepted_values` (values), `range` (min and/or max),
        `no_future` (dates or timestamps after today). NULLs break no rule here (not_null does that).
        Each kind is one macro, `<kind>_violation_sql(rule)` (macros/validation/rules/), the
        condition a breaking row meets; looked up by name like the alteration kinds. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set parts = [] %}
    {% for rule in rules %}
        {% set violation_sql = expand_contract.get(rule.kind ~ '_violation_sql') %}
        {% if violation_sql is none or expand_contract.get('default__' ~ rule.kind ~ '_violation_sql') is none %}
            {{ exceptions.raise_compiler_error("count_violations: unknown rule kind " ~ rule.kind) }}
        {% endif %}
        {% do parts.append('count(case when ' ~ violation_sql(rule) ~ ' then 1 end) as v' ~ loop.index0) %}
    {% endfor %}
    {% set row = expand_contract.rows_as_dicts(run_query('select ' ~ parts | join(', ') ~ ' from ' ~ relation))[0] %}
    {% set counts = [] %}
    {% for rule in rules %}{% do counts.append(row['v' ~ loop.index0]) %}{% endfor %}
    {% do expand_contract.emit_result(counts) %}
{% endmacro %}

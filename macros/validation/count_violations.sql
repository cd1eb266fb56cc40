{% macro count_violations(schema, table, rules) %}
    {#- Counts, in one scan, the rows breaking each domain rule of the checklist. `rules` is a list
        of {name, kind, column, ...}: kind `accepted_values` (values), `range` (min and/or max),
        `no_future` (dates or timestamps after today). NULLs break no rule here (not_null does that). -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set lit = expand_contract.sql_literal %}
    {% set parts = [] %}
    {% for rule in rules %}
        {% set c = adapter.quote(rule.column) %}
        {% if rule.kind == 'accepted_values' %}
            {% set test = c ~ ' not in (' ~ expand_contract.sql_literal_list(rule['values']) ~ ')' %}
        {% elif rule.kind == 'range' %}
            {% set bounds = [] %}
            {% if rule.get('min') is not none %}{% do bounds.append(c ~ ' < ' ~ lit(rule['min'])) %}{% endif %}
            {% if rule.get('max') is not none %}{% do bounds.append(c ~ ' > ' ~ lit(rule['max'])) %}{% endif %}
            {% set test = bounds | join(' or ') %}
        {% elif rule.kind == 'no_future' %}
            {% set test = 'cast(' ~ c ~ ' as date) > current_date' %}
        {% else %}
            {{ exceptions.raise_compiler_error("count_violations: unknown rule kind " ~ rule.kind) }}
        {% endif %}
        {% do parts.append('count(case when ' ~ test ~ ' then 1 end) as v' ~ loop.index0) %}
    {% endfor %}
    {% set row = expand_contract.rows_as_dicts(run_query('select ' ~ parts | join(', ') ~ ' from ' ~ relation))[0] %}
    {% set counts = [] %}
    {% for rule in rules %}{% do counts.append(row['v' ~ loop.index0]) %}{% endfor %}
    {% do expand_contract.emit_result(counts) %}
{% endmacro %}

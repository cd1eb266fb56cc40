{% macro keyset_predicate(keys, values, operator) %}
    {{ return(adapter.dispatch('keyset_predicate', 'expand_contract')(keys, values, operator)) }}
{% endmacro %}

{% macro default__keyset_predicate(keys, values, operator) %}
    {#- DuckDB: a composite key compared lexicographically, spelled out (DuckDB turns a pair of
        row comparisons into a BETWEEN, which it cannot do on STRUCTs). Keys are never NULL. -#}
    {% set literals = [] %}
    {% for value in values %}{% do literals.append(expand_contract.sql_literal(value)) %}{% endfor %}
    {% if keys | length == 1 %}
        {{ return(keys[0] ~ ' ' ~ operator ~ ' ' ~ literals[0]) }}
    {% endif %}
    {% set alternatives = [] %}
    {% for i in range(keys | length) %}
        {% set terms = [] %}
        {% for j in range(i) %}{% do terms.append(keys[j] ~ ' = ' ~ literals[j]) %}{% endfor %}
        {% do terms.append(keys[i] ~ ' > ' ~ literals[i]) %}
        {% do alternatives.append('(' ~ terms | join(' and ') ~ ')') %}
    {% endfor %}
    {% set after = '(' ~ alternatives | join(' or ') ~ ')' %}
    {{ return(after if operator == '>' else '(not ' ~ after ~ ')') }}
{% endmacro %}

{% macro postgres__keyset_predicate(keys, values, operator) %}
    {#- PostgreSQL: a row comparison, which a btree index on the key serves as a range. -#}
    {{ return('(' ~ keys | join(', ') ~ ') ' ~ operator ~ ' (' ~ expand_contract.sql_literal_list(values) ~ ')') }}
{% endmacro %}

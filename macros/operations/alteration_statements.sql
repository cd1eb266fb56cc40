{% macro alteration_statements(relation, alterations) %}
    {{ return(adapter.dispatch('alteration_statements', 'expand_contract')(relation, alterations)) }}
{% endmacro %}

{% macro default__alteration_statements(relation, alterations) %}
    {#- ALTER TABLE statements for a list of alterations ({kind, ...}), each safe to run again:
        columns are added `if not exists`, constraints dropped `if exists` before they are added. -#}
    {% set alter = 'alter table ' ~ relation ~ ' ' %}
    {% set statements = [] %}
    {% for step in alterations %}
        {% set kind = step.kind %}
        {% set column = adapter.quote(step.column) if step.column else none %}
        {% if kind == 'add_column' %}
            {% do statements.append(alter ~ 'add column if not exists ' ~ adapter.quote(step.name) ~ ' ' ~ step.data_type
                ~ ((' default ' ~ step.default) if step.default else '')) %}
        {% elif kind == 'drop_column' %}
            {% do statements.append(alter ~ 'drop column if exists ' ~ column) %}
        {% elif kind == 'rename_column' %}
            {% do statements.append(alter ~ 'rename column ' ~ column ~ ' to ' ~ adapter.quote(step.to)) %}
        {% elif kind == 'set_not_null' %}
            {% do statements.append(alter ~ 'alter column ' ~ column ~ ' set not null') %}
        {% elif kind == 'drop_not_null' %}
            {% do statements.append(alter ~ 'alter column ' ~ column ~ ' drop not null') %}
        {% elif kind == 'set_default' %}
            {% do statements.append(alter ~ 'alter column ' ~ column ~ ' set default ' ~ step.default) %}
        {% elif kind == 'drop_default' %}
            {% do statements.append(alter ~ 'alter column ' ~ column ~ ' drop default') %}
        {% elif kind in ('add_check', 'add_not_null_check', 'add_foreign_key', 'validate_constraint', 'drop_constraint', 'unique_using_index') %}
            {% do statements.extend(expand_contract.constraint_statements(relation, step)) %}
        {% else %}
            {% do exceptions.raise_compiler_error('unknown alteration kind: ' ~ kind) %}
        {% endif %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

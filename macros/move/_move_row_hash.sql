{% macro _move_row_hash(relation, columns, exact_columns) %}
    {#- The portable row hash over `columns` in their given order; an `exact_columns` decimal (both
        sides declare the same scale) is spelled by a plain cast, as the data plane spells it. -#}
    {% set types = {} %}
    {% for column in adapter.get_columns_in_relation(relation) %}{% do types.update({column.name: column.data_type}) %}{% endfor %}
    {% set parts = [] %}
    {% for name in columns %}
        {% if name not in types %}
            {{ exceptions.raise_compiler_error('EC_MISSING_TABLE: ' ~ relation ~ ' has no column ' ~ name) }}
        {% endif %}
        {% set data_type = 'varchar' if name in exact_columns else types[name] %}
        {% do parts.append('coalesce(' ~ expand_contract.portable_text(name, data_type) ~ ', chr(1))') %}
    {% endfor %}
    {{ return(expand_contract.portable_hash(parts | join(" || '|' || "))) }}
{% endmacro %}

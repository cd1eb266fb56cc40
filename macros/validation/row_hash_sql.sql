{% macro row_hash_sql(columns, portable=false) %}
    {#- SQL for the hash of a whole row over `columns` (adapter Column objects): the engine's native
        hash, or with `portable` the md5 of the columns' portable_text joined by '|' (NULL as chr(1)),
        which is the same number on DuckDB and PostgreSQL. -#}
    {% if portable %}
        {% set parts = [] %}
        {% for column in columns %}
            {% do parts.append('coalesce(' ~ expand_contract.portable_text(column.name, column.data_type) ~ ', chr(1))') %}
        {% endfor %}
        {{ return(expand_contract.portable_hash(parts | join(" || '|' || "))) }}
    {% endif %}
    {{ return(expand_contract.hash_expression(columns | map(attribute='name') | list, expand_contract.text_hashed_columns(columns))) }}
{% endmacro %}

{% macro text_hashed_columns(columns) %}
    {{ return(adapter.dispatch('text_hashed_columns', 'expand_contract')(columns)) }}
{% endmacro %}

{% macro default__text_hashed_columns(columns) %}
    {{ return([]) }}
{% endmacro %}

{% macro postgres__text_hashed_columns(columns) %}
    {#- Columns whose type has no hash function: hash_expression hashes their text instead. -#}
    {% set unhashable = ['json', 'xml', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle'] %}
    {% set names = [] %}
    {% for column in columns %}
        {% if column.data_type | lower in unhashable %}{% do names.append(column.name) %}{% endif %}
    {% endfor %}
    {{ return(names) }}
{% endmacro %}

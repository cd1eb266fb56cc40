{% macro portable_hash(text_sql) %}
    {{ return(adapter.dispatch('portable_hash', 'expand_contract')(text_sql)) }}
{% endmacro %}

{% macro default__portable_hash(text_sql) %}
    {#- The first 60 bits of md5(text) as a BIGINT: the same number on every engine. -#}
    {{ return("('0x' || substr(md5(" ~ text_sql ~ "), 1, 15))::BIGINT") }}
{% endmacro %}

{% macro postgres__portable_hash(text_sql) %}
    {{ return("('x' || substr(md5(" ~ text_sql ~ "), 1, 15))::bit(60)::bigint") }}
{% endmacro %}

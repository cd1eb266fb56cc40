{% macro assign_cast(expression, data_type) %}
    {#- `expression` as a value for a column of `data_type`, with the semantics of an SQL assignment,
        not of an explicit cast: a character type keeps no length here (`varchar`), so a value too
        long for the column fails when it is stored (PostgreSQL: "value too long") instead of being
        cut short, as an explicit cast to varchar(n) would silently do. Other types are cast as
        they are (an out-of-range number fails either way). -#}
    {% set unbounded = 'varchar' if expand_contract.character_length(data_type) is not none else data_type %}
    {{ return('cast((' ~ expression ~ ') as ' ~ unbounded ~ ')') }}
{% endmacro %}

{% macro character_length(data_type) %}
    {#- The length of a character type (`varchar(255)` -> 255), none for any other type. -#}
    {% set found = modules.re.match('^ *(character varying|varchar|character|char|bpchar) *[(] *([0-9]+) *[)] *$',
                                    data_type, modules.re.I) %}
    {{ return((found.group(2) | int) if found else none) }}
{% endmacro %}

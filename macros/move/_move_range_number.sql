{% macro _move_range_number(key_sql, bounds, first) %}
    {#- The number of the range holding key_sql: ranges first .. first + len(bounds), bounds their
        sorted lower bounds after the first; a binary search as nested CASEs (depth log2 of the
        number of ranges). -#}
    {% if bounds | length == 0 %}{{ return(first | string) }}{% endif %}
    {% set middle = (bounds | length) // 2 %}
    {{ return('case when ' ~ key_sql ~ ' < ' ~ bounds[middle] ~ ' then '
        ~ expand_contract._move_range_number(key_sql, bounds[:middle], first)
        ~ ' else ' ~ expand_contract._move_range_number(key_sql, bounds[middle + 1:], first + middle + 1) ~ ' end') }}
{% endmacro %}

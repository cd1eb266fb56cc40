{% macro portable_text(column, data_type) %}
    {#- A column's value as text spelled the same by DuckDB and PostgreSQL: decimals and floats
        without trailing zeros (and -0 as 0, infinities and NaN in one spelling), timestamps with a
        time zone in UTC, everything else in the engine's cast to varchar (ISO dates and times,
        true/false, integers, text as is). NULL stays NULL. -#}
    {% set c = adapter.quote(column) %}
    {% set base = (data_type | lower).split('(')[0] | trim %}
    {% if base in ['numeric', 'decimal', 'double precision', 'double', 'real', 'float', 'float4', 'float8'] %}
        {% set t = 'lower(cast(' ~ c ~ ' as varchar))' %}
        {% set trimmed = "case when strpos(" ~ t ~ ", '.') > 0 and strpos(" ~ t ~ ", 'e') = 0 then rtrim(rtrim(" ~ t ~ ", '0'), '.') else " ~ t ~ " end" %}
        {{ return("case when " ~ t ~ " in ('inf', 'infinity') then 'inf' when " ~ t ~ " in ('-inf', '-infinity') then '-inf' "
                  ~ "when " ~ t ~ " = 'nan' then 'nan' when (" ~ trimmed ~ ") = '-0' then '0' else (" ~ trimmed ~ ") end") }}
    {% elif base in ['timestamp with time zone', 'timestamptz'] %}
        {{ return("cast((" ~ c ~ " at time zone 'UTC') as varchar)") }}
    {% endif %}
    {{ return('cast(' ~ c ~ ' as varchar)') }}
{% endmacro %}

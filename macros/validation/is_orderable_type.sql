{% macro is_orderable_type(data_type) %}
    {#- Whether min() and max() are meaningful (and exist) for a column type, on DuckDB and
        PostgreSQL spellings alike: numbers, strings, dates and times. -#}
    {% set base = (data_type | lower).split('(')[0] | trim %}
    {% set exact = ['tinyint', 'smallint', 'integer', 'int', 'bigint', 'hugeint', 'utinyint', 'usmallint',
                    'uinteger', 'ubigint', 'uhugeint', 'numeric', 'decimal', 'real', 'float', 'double',
                    'double precision', 'text', 'varchar', 'character varying', 'character', 'char', 'bpchar',
                    'date', 'interval'] %}
    {{ return(base in exact or base.startswith('timestamp') or base.startswith('time')) }}
{% endmacro %}

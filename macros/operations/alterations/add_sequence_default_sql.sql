{% macro add_sequence_default_sql(relation, step) %}
    {{ return(adapter.dispatch('add_sequence_default_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_sequence_default_sql(relation, step) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no identity columns (refused before anything changes)') %}
{% endmacro %}

{% macro postgres__add_sequence_default_sql(relation, step) %}
    {#- A sequence owned by the column (dropped with it: a rollback drops the column), and the
        column's default drawing on it: every new row of either shape gets a number. SET DEFAULT
        changes no existing row (metadata only); the backfill numbers those. Safe to run again; a
        sequence of that name that is not the column's own stops it (EC_TAKEN), nothing changed. -#}
    {% set sequence = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(step.sequence) %}
    {% set lit = expand_contract.sql_literal %}
    {% set column = adapter.quote(step.column) %}
    {{ return(['do $ec$ begin if to_regclass(' ~ lit(sequence) ~ ') is not null and to_regclass(' ~ lit(sequence)
               ~ ') is distinct from to_regclass(pg_get_serial_sequence(' ~ lit(relation | string) ~ ', '
               ~ lit(step.column) ~ ')) then raise exception ' ~ lit('EC_TAKEN: the sequence ' ~ sequence
               ~ ' exists and is not the one of ' ~ step.column ~ '; rename it') ~ '; end if; end $ec$',
               'create sequence if not exists ' ~ sequence ~ ' as ' ~ step.data_type ~ ' owned by ' ~ relation ~ '.'
               ~ column,
               'alter table ' ~ relation ~ ' alter column ' ~ column ~ ' set default nextval(' ~ lit(sequence) ~ ')']) }}
{% endmacro %}

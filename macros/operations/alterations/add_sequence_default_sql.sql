{% macro add_sequence_default_sql(relation, step) %}
    {{ return(adapter.dispatch('add_sequence_default_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_sequence_default_sql(relation, step) %}
    {#- A sequence owned by the column (dropped with it: a rollback drops the column), and the
        column's default drawing on it: every new row of either shape gets a number. SET DEFAULT
        changes no existing row (metadata only); the backfill numbers those. Safe to run again. -#}
    {% set sequence = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(step.sequence) %}
    {{ return(['create sequence if not exists ' ~ sequence ~ ' as ' ~ step.data_type ~ ' owned by ' ~ relation ~ '.'
               ~ adapter.quote(step.column),
               'alter table ' ~ relation ~ ' alter column ' ~ adapter.quote(step.column) ~ ' set default nextval('
               ~ expand_contract.sql_literal(sequence) ~ ')']) }}
{% endmacro %}

{% macro add_identity_sql(relation, step) %}
    {{ return(adapter.dispatch('add_identity_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_identity_sql(relation, step) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no identity columns (refused before anything changes)') %}
{% endmacro %}

{% macro postgres__add_identity_sql(relation, step) %}
    {#- At contract, a column numbered from its own sequence (add_sequence_default) becomes an
        identity column: its default dropped, GENERATED ... AS IDENTITY added (the column is NOT
        NULL by then), the identity's sequence set to go on after both the last number the old one
        gave and the largest value in the column (a writer may have given one explicitly), and the
        old sequence dropped. Under contract's lock, so no row is numbered meanwhile; no row is
        rewritten (the largest value is one index scan when the column is indexed, else one scan). -#}
    {% set column = adapter.quote(step.column) %}
    {% set sequence = adapter.quote(relation.schema) ~ '.' ~ adapter.quote(step.sequence) %}
    {% set lit = expand_contract.sql_literal %}
    {#- (the old sequence is let go of first: pg_get_serial_sequence would find it, not the identity's) -#}
    {{ return(['alter sequence ' ~ sequence ~ ' owned by none',
               'alter table ' ~ relation ~ ' alter column ' ~ column ~ ' drop default',
               'alter table ' ~ relation ~ ' alter column ' ~ column ~ ' add generated ' ~ step.identity ~ ' as identity',
               'select setval(pg_get_serial_sequence(' ~ lit(relation | string) ~ ', ' ~ lit(step.column) ~ '), greatest(nextval('
               ~ lit(sequence) ~ '), (select max(' ~ column ~ ') + 1 from ' ~ relation ~ ')), false)',
               'drop sequence ' ~ sequence]) }}
{% endmacro %}

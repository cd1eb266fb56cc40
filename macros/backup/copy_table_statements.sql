{% macro copy_table_statements(source, destination) %}
    {{ return(adapter.dispatch('copy_table_statements', 'expand_contract')(source, destination)) }}
{% endmacro %}

{% macro default__copy_table_statements(source, destination) %}
    {{ return([
        'drop table if exists ' ~ destination,
        'create table ' ~ destination ~ ' as select * from ' ~ source,
    ]) }}
{% endmacro %}

{% macro postgres__copy_table_statements(source, destination) %}
    {#- LIKE without INCLUDING: the columns' exact types and NOT NULLs, and nothing that belongs
        to the source (no default calling its sequence, no identity, no index or constraint name):
        a copy that depends on nothing of the live table, which can then change or go freely. -#}
    {{ return([
        'drop table if exists ' ~ destination,
        'create table ' ~ destination ~ ' (like ' ~ source ~ ')',
        'insert into ' ~ destination ~ ' select * from ' ~ source,
    ]) }}
{% endmacro %}

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
    {#- LIKE ... INCLUDING ALL keeps types, defaults, NOT NULL, checks, identity and indexes.
        No CASCADE: a restore must fail, not silently drop a user's view or foreign key. -#}
    {{ return([
        'drop table if exists ' ~ destination,
        'create table ' ~ destination ~ ' (like ' ~ source ~ ' including all)',
        'insert into ' ~ destination ~ ' overriding system value select * from ' ~ source,
    ]) }}
{% endmacro %}

{% macro switch_version_statements(schema, table, version) %}
    {#- Points `<table>_current` at `<table>_<version>`: drop + create (PostgreSQL cannot CREATE OR
        REPLACE a view whose columns change), to run in one transaction. -#}
    {% set current = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_current', type='view') %}
    {% set chosen = api.Relation.create(database=target.database, schema=schema, identifier=table ~ '_' ~ version, type='view') %}
    {{ return(['drop view if exists ' ~ current, 'create view ' ~ current ~ ' as select * from ' ~ chosen]) }}
{% endmacro %}

{% macro drop_version_views(schema, table, suffixes, names=[]) %}
    {#- Drops the views `<table>_<suffix>` (and views called `names`) that exist, in the order
        given (dependents first), in one transaction. -#}
    {% set statements = [] %}
    {% set views = [] %}
    {% for suffix in suffixes %}{% do views.append(table ~ '_' ~ suffix) %}{% endfor %}
    {% for name in views + names %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=name, type='view') %}
        {% do statements.append('drop view if exists ' ~ view) %}
    {% endfor %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

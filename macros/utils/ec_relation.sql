{% macro ec_relation(schema, identifier) %}
    {{ return(api.Relation.create(database=target.database, schema=schema, identifier=identifier, type='table')) }}
{% endmacro %}

{% macro ec_relation(schema, identifier) %}
    {{ return(api.Relation.create(database=target.database, schema=schema, identifier=identifier, type='table')) }}
{% endmacro %}

{% macro ec_referenced(schema, identifier) %}
    {#- A table a foreign key references, schema-qualified only (DuckDB refuses a database name
        in a FOREIGN KEY: "cannot be defined cross-database"). -#}
    {{ return(adapter.quote(schema) ~ '.' ~ adapter.quote(identifier)) }}
{% endmacro %}

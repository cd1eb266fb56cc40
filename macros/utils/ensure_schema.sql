{% macro ensure_schema(schema) %}
    {#- Creates a schema if it does not exist (e.g. in a scratch database before pg_restore). -#}
    {% do adapter.create_schema(api.Relation.create(database=target.database, schema=schema)) %}
{% endmacro %}

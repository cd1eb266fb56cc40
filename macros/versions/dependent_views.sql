{% macro dependent_views(schema, table, columns) %}
    {{ return(adapter.dispatch('dependent_views', 'expand_contract')(schema, table, columns)) }}
{% endmacro %}

{% macro default__dependent_views(schema, table, columns) %}
    {#- DuckDB binds a view's columns when it is read, not when a column is dropped: none block. -#}
    {% do expand_contract.emit_result([]) %}
{% endmacro %}

{% macro postgres__dependent_views(schema, table, columns) %}
    {#- The views (schema-qualified names) that read any of `columns` of the table: dropping those
        columns would fail on them (or, with CASCADE, drop them), so a step that drops columns asks first. -#}
    {% set lit = expand_contract.sql_literal %}
    {% set names = [] %}
    {% if columns %}
        {% set sql %}
            select distinct vn.nspname || '.' || v.relname
            from pg_depend d
            join pg_rewrite r on r.oid = d.objid and d.classid = 'pg_rewrite'::regclass
            join pg_class v on v.oid = r.ev_class
            join pg_namespace vn on vn.oid = v.relnamespace
            join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
            where d.refobjid = to_regclass({{ lit(adapter.quote(schema) ~ '.' ~ adapter.quote(table)) }})
              and v.oid <> d.refobjid
              and a.attname in ({{ expand_contract.sql_literal_list(columns) }})
            order by 1
        {% endset %}
        {% for row in run_query(sql) %}{% do names.append(row[0]) %}{% endfor %}
    {% endif %}
    {% do expand_contract.emit_result(names) %}
{% endmacro %}

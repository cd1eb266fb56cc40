{% macro describe_table(schema, table, key, reserved=[], attachments=true) %}
    {#- What the preflight needs to judge a spec against the warehouse: does the table exist, its
        columns (type, its DDL spelling, nullable, default, identity), its definition where the engine keeps it (table_definition), what its columns carry
        besides (column_attachments: constraints, indexes, comments; not read with `attachments=false`), its index count (besides the primary key), the health of the key (NULLs, duplicates; skipped when `key` is empty), and whether
        names the migration will create (`reserved`) are already taken by tables (`taken`) or
        exist as views (`views`: a previous migration's, which a rollback puts back). Reads only. -#}
    {% set hidden = expand_contract.hidden_relation(schema, table) %}
    {% set found = adapter.get_relation(database=target.database, schema=schema, identifier=table) if not hidden else none %}
    {% if hidden %}  {#- there, but the user may not read it: `hidden` says which privilege is missing -#}
        {% do expand_contract.emit_result({'exists': true, 'hidden': hidden, 'columns': [], 'taken': [], 'views': [],
                                           'indexes': 0, 'definition': none, 'attachments': [], 'null_keys': 0,
                                           'duplicate_keys': 0}) %}
        {{ return(none) }}
    {% endif %}
    {% if not found %}
        {% do expand_contract.emit_result({'exists': false}) %}
        {{ return(none) }}
    {% endif %}
    {% set facts_sql %}
        select column_name as name, is_nullable = 'YES' as nullable, column_default as "default",
               cast(is_identity as varchar) in ('YES', 'true') as identity
        from information_schema.columns
        where table_schema = {{ expand_contract.sql_literal(schema) }} and table_name = {{ expand_contract.sql_literal(table) }}
    {% endset %}
    {% set facts = {} %}
    {% for row in expand_contract.rows_as_dicts(run_query(facts_sql)) %}{% do facts.update({row.name: row}) %}{% endfor %}
    {% set ddl_types = expand_contract.column_ddl_types(schema, table) %}
    {% set columns = [] %}
    {% for column in adapter.get_columns_in_relation(found) %}
        {% set fact = facts.get(column.name, {}) %}
        {% do columns.append({'name': column.name, 'data_type': column.data_type, 'nullable': fact.get('nullable', true),
                              'default': fact.get('default'), 'identity': fact.get('identity', false),
                              'ddl_type': ddl_types.get(column.name, column.data_type)}) %}
    {% endfor %}
    {% set names = columns | map(attribute='name') | list %}
    {% set result = {'exists': true, 'type': found.type | string, 'columns': columns, 'taken': [], 'views': [],
                   'indexes': expand_contract.count_indexes(schema, table),
                   'definition': expand_contract.table_definition(schema, table),
                   'attachments': expand_contract.column_attachments(schema, table) if attachments else []} %}
    {% for name in reserved %}
        {% set other = adapter.get_relation(database=target.database, schema=schema, identifier=name) %}
        {% if other and not other.is_view %}
            {% do result.taken.append(name) %}
        {% elif other %}
            {% do result.views.append(name) %}
        {% endif %}
    {% endfor %}
    {% set missing_keys = key | reject('in', names) | list %}
    {% if key and missing_keys | length == 0 %}
        {% set keys = expand_contract.quote_all(key) %}
        {% set null_tests = [] %}
        {% for k in keys %}{% do null_tests.append(k ~ ' is null') %}{% endfor %}
        {% set sql %}
            select
                (select count(*) from {{ found }} where {{ null_tests | join(' or ') }}) as null_keys,
                (select count(*) from (
                    select {{ keys | join(', ') }} from {{ found }}
                    group by {{ keys | join(', ') }} having count(*) > 1) d) as duplicate_keys
        {% endset %}
        {% do result.update(expand_contract.rows_as_dicts(run_query(sql))[0]) %}
    {% endif %}
    {% do expand_contract.emit_result(result) %}
    {{ return(result) }}
{% endmacro %}

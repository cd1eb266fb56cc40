{% macro restore_facts(schema, table, backup_schema, backup_table, orphans=true) %}
    {#- What a restore from the backup must know before it changes anything (reads only):
        `orphans`, per foreign key of another table pointing at this one, the rows whose key the
        backup does not have (they would be left pointing at nothing); `writes`, the table's
        write counters (inserts, updates, deletes since the server's statistics began; none
        where the engine keeps none). -#}
    {{ return(adapter.dispatch('restore_facts', 'expand_contract')(schema, table, backup_schema, backup_table, orphans)) }}
{% endmacro %}

{% macro default__restore_facts(schema, table, backup_schema, backup_table, orphans=true) %}
    {#- DuckDB keeps no write counters; a foreign key pointing at the table makes its delete fail
        (DuckDB cannot take such a key off), which the restore reports before anything changes. -#}
    {% set lit = expand_contract.sql_literal %}
    {% set found = run_query('select count(*) as n from duckdb_constraints() where constraint_type = \'FOREIGN KEY\''
        ~ ' and schema_name = ' ~ lit(schema) ~ ' and referenced_table = ' ~ lit(table)) %}
    {% set facts = {'orphans': [], 'writes': none, 'referenced_by': found.columns[0].values()[0] | int} %}
    {% do expand_contract.emit_result(facts) %}
    {{ return(facts) }}
{% endmacro %}

{% macro postgres__restore_facts(schema, table, backup_schema, backup_table, orphans=true) %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set backup = expand_contract.ec_relation(backup_schema, backup_table) %}
    {% set regclass = 'to_regclass(' ~ expand_contract.sql_literal(relation | string) ~ ')' %}  {#- none: a dropped table -#}
    {% set found = [] %}
    {% for key in (expand_contract.referencing_foreign_keys(relation) if orphans else []) %}
        {% set count_sql %}
            select count(*) from {{ key.child }} r
            where ({{ key.child_columns }}) is not null
              and not exists (select 1 from {{ backup }} b where ({{ key.parent_columns }}) = ({{ key.child_columns }}))
        {% endset %}
        {% set rows = run_query(count_sql).columns[0].values()[0] | int %}
        {% if rows %}{% do found.append({'constraint': key.name, 'table': key.child, 'rows': rows}) %}{% endif %}
    {% endfor %}
    {% set counters = expand_contract.rows_as_dicts(run_query(
        'select n_tup_ins as inserts, n_tup_upd as updates, n_tup_del as deletes from pg_stat_user_tables'
        ~ ' where relid = ' ~ regclass)) %}
    {% set facts = {'orphans': found, 'writes': counters[0] if counters else none, 'referenced_by': 0} %}
    {% do expand_contract.emit_result(facts) %}
    {{ return(facts) }}
{% endmacro %}

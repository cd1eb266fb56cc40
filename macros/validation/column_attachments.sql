{% macro column_attachments(schema, table) %}
    {{ return(adapter.dispatch('column_attachments', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__column_attachments(schema, table) %}
    {#- DuckDB: the constraints declared with the table (unique, check, foreign key, primary key)
        and column comments. Its indexes are not listed: alterations drop them and create them
        again from their statements, by column name (alteration_transactions). -#}
    {% set lit = expand_contract.sql_literal %}
    {% set sql %}
        select constraint_name as name,
               case constraint_type when 'UNIQUE' then 'unique' when 'CHECK' then 'check'
                    when 'FOREIGN KEY' then 'foreign_key' else 'primary_key' end as kind,
               cast(to_json(constraint_column_names) as varchar) as columns, constraint_text as definition
        from duckdb_constraints()
        where database_name = current_database() and schema_name = {{ lit(schema) }} and table_name = {{ lit(table) }}
          and constraint_type in ('UNIQUE', 'CHECK', 'FOREIGN KEY', 'PRIMARY KEY')
        union all
        select null, 'comment', cast(to_json([column_name]) as varchar), comment
        from duckdb_columns()
        where database_name = current_database() and schema_name = {{ lit(schema) }} and table_name = {{ lit(table) }}
          and comment is not null
    {% endset %}
    {% set attachments = [] %}
    {% for row in run_query(sql) %}
        {% do attachments.append({'name': row[0], 'kind': row[1], 'columns': fromjson(row[2]), 'definition': row[3]}) %}
    {% endfor %}
    {{ return(attachments) }}
{% endmacro %}

{% macro postgres__column_attachments(schema, table) %}
    {#- PostgreSQL: what each of the table's columns has besides its type, default and NULLability,
        with the columns each involves: constraints (check, foreign_key, unique, primary_key,
        exclusion: their definition, and the index's for those an index backs), foreign keys of
        any table pointing at it (`referenced`, `owner` the table they belong to), indexes no
        constraint owns (columns in their keys, INCLUDE, expressions or predicate), the table's
        replica identity (`definition` default, full, nothing or index; `index_definition` the
        index's name), column comments. -#}
    {% set relation = expand_contract.sql_literal(expand_contract.ec_relation(schema, table) | string) %}
    {% set sql %}
        with rel as (select {{ relation }}::regclass as oid)
        select c.conname::text as name,
               case c.contype when 'c' then 'check' when 'f' then 'foreign_key' when 'u' then 'unique'
                    when 'p' then 'primary_key' else 'exclusion' end as kind,
               to_json(array(select a.attname::text from unnest(c.conkey) with ordinality as k(num, place)
                     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.num order by k.place))::text as columns,
               pg_get_constraintdef(c.oid) as definition,
               case when c.conindid <> 0 and c.contype in ('u', 'p', 'x') then pg_get_indexdef(c.conindid) end
                   as index_definition,
               c.condeferrable as deferrable, c.condeferred as deferred, null::text as owner
        from pg_constraint c, rel where c.conrelid = rel.oid and c.contype in ('c', 'f', 'u', 'p', 'x')
        union all
        select c.conname::text, 'referenced',
               to_json(array(select a.attname::text from unnest(c.confkey) with ordinality as k(num, place)
                     join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.num order by k.place))::text,
               pg_get_constraintdef(c.oid), null, c.condeferrable, c.condeferred, c.conrelid::regclass::text
        from pg_constraint c, rel where c.confrelid = rel.oid and c.contype = 'f'
        union all
        select i.relname::text, 'index',
               to_json(array(select a.attname::text from pg_attribute a where a.attrelid = x.indrelid and a.attnum > 0
                     and (a.attnum = any(x.indkey) or a.attnum in (
                         select d.refobjsubid from pg_depend d where d.classid = 'pg_class'::regclass
                         and d.objid = x.indexrelid and d.refobjid = x.indrelid))))::text,
               pg_get_indexdef(x.indexrelid), null, false, false, null
        from pg_index x join pg_class i on i.oid = x.indexrelid, rel
        where x.indrelid = rel.oid
          and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid)
        union all
        select null, 'replica_identity', '[]', case c.relreplident when 'd' then 'default' when 'f' then 'full'
                    when 'n' then 'nothing' else 'index' end,
               (select i.relname::text from pg_index x join pg_class i on i.oid = x.indexrelid
                where x.indrelid = c.oid and x.indisreplident), false, false, null
        from pg_class c, rel where c.oid = rel.oid
        union all
        select null, 'comment', to_json(array[a.attname::text])::text, col_description(a.attrelid, a.attnum), null, false, false, null
        from pg_attribute a, rel
        where a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped and col_description(a.attrelid, a.attnum) is not null
        order by 2, 1
    {% endset %}
    {% set attachments = [] %}
    {% for row in run_query(sql) %}
        {% do attachments.append({'name': row[0], 'kind': row[1], 'columns': fromjson(row[2]), 'definition': row[3],
                                  'index_definition': row[4], 'deferrable': row[5], 'deferred': row[6], 'owner': row[7]}) %}
    {% endfor %}
    {{ return(attachments) }}
{% endmacro %}

{% macro keep_version_views() %}
    {#- on-run-end hook of the package (it runs in every project that installs it): a table or
        incremental model this invocation rebuilt, whose table a migration has contracted, gets back
        the versioned views readers use (`<table>_v2` over its columns now, `<table>_current` on it)
        if the rebuild dropped them (PostgreSQL's table materialization drops the old table with
        what depends on it; an incremental run that widens a column type drops them with `cascade`).
        Views that are there are left alone; nothing happens without state tables or a rebuilt
        model under a contracted migration. -#}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set meta_schema = var('expand_contract_meta_schema', 'expand_contract_meta') %}
    {% set runs = adapter.get_relation(database=target.database, schema=meta_schema, identifier='migration_runs') %}
    {% if runs is none %}{{ return('') }}{% endif %}
    {% set rebuilt = [] %}
    {% for result in results %}
        {% set node = result.node %}
        {% if node.resource_type == 'model' and result.status == 'success'
              and node.config.materialized in ('table', 'incremental') %}
            {% do rebuilt.append((node.schema ~ '.' ~ (node.alias or node.name)) | lower) %}
        {% endif %}
    {% endfor %}
    {% if not rebuilt %}{{ return('') }}{% endif %}
    {% set steps = expand_contract.ec_relation(meta_schema, 'migration_steps') %}
    {% set found = run_query('select r.migration, r.relation, s.figures from ' ~ runs ~ ' r join ' ~ steps ~ ' s'
        ~ " on s.run_id = r.run_id and s.step = 'contract' and s.status = 'ok' where r.state = 'contracted'"
        ~ ' and r.created_at = (select max(created_at) from ' ~ runs ~ ' o where o.migration = r.migration)') %}
    {% for row in expand_contract.rows_as_dicts(found) %}
        {% set views = (fromjson(row.figures) if row.figures else {}).get('views', []) %}
        {% set schema = row.relation.split('.')[0] %}
        {% set table = views[0][:-3] if views else none %}
        {% set relation = adapter.get_relation(database=target.database, schema=schema, identifier=table) if table else none %}
        {% if relation is not none and (schema ~ '.' ~ table) | lower in rebuilt %}
            {#- The catalog itself, not dbt's relation cache: a column type widened by an incremental
                run drops the views with `cascade`, which the cache never hears of. -#}
            {% set lit = expand_contract.sql_literal %}
            {% set present = run_query('select table_name from information_schema.tables where table_schema = '
                ~ lit(schema) ~ ' and table_name in (' ~ expand_contract.sql_literal_list(views) ~ ')').columns[0].values() %}
            {% set missing = views | reject('in', present) | list %}
            {% if missing %}
                {% set columns = [] %}
                {% for column in adapter.get_columns_in_relation(relation) %}
                    {% do columns.append([column.name, column.name]) %}
                {% endfor %}
                {% do expand_contract.create_version_views(schema, table, {'v2': columns}, current='v2') %}
                {% do log('expand_contract: ' ~ missing | join(', ') ~ ' re-created over ' ~ schema ~ '.' ~ table
                          ~ ' (migration ' ~ row.migration ~ ' contracted; the rebuild had dropped them)', info=true) %}
            {% endif %}
        {% endif %}
    {% endfor %}
    {{ return('') }}
{% endmacro %}

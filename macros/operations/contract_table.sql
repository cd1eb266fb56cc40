{% macro contract_table(schema, table, alterations, views_after={}, final_table=none, drop_table=false, drop_views=[], swap_in=none, after_swap=[], state=none, meta_schema=none, archive=none) %}
    {#- Contract in one transaction under lock_timeout: drops the versioned views (`drop_views`,
        dependents first) and the sync trigger, applies the alterations (drop old columns, swap
        shadow columns in, NOT NULL from validated checks), renames or drops the table, or, for a
        rewrite, drops it and renames the new table (`swap_in`) to its name (then alters it: `after_swap`,
        e.g. its constraints given their names back), and re-creates the
        views of the new shape (`views_after`) over the final columns; with `state` ({run_id,
        state, at}), the run's state change in the same transaction. A dropped table with `archive`
        ({schema, table}) is kept there instead (archive_table_statements), for a rollback. -#}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set statements = [] %}
    {% for name in drop_views %}
        {% do statements.append('drop view if exists ' ~ api.Relation.create(database=target.database, schema=schema, identifier=name, type='view')) %}
    {% endfor %}
    {% do statements.extend(expand_contract.sync_trigger_drop_statements(schema, table)) %}
    {% do statements.extend(expand_contract.alteration_statements(relation, alterations)) %}
    {% if swap_in %}
        {% do statements.append('drop table ' ~ relation) %}
        {% do statements.append('alter table ' ~ expand_contract.ec_relation(schema, swap_in) ~ ' rename to ' ~ adapter.quote(final_table or table)) %}
        {% do statements.extend(expand_contract.alteration_statements(expand_contract.ec_relation(schema, final_table or table), after_swap)) %}
    {% elif drop_table and archive %}
        {% do statements.extend(expand_contract.archive_table_statements(relation, archive.schema, archive.table)) %}
    {% elif drop_table %}
        {% do statements.append('drop table ' ~ relation) %}
    {% elif final_table and final_table != table %}
        {% do statements.append('alter table ' ~ relation ~ ' rename to ' ~ adapter.quote(final_table)) %}
    {% endif %}
    {% if views_after %}
        {% do statements.extend(expand_contract.version_view_statements(schema, final_table or table, views_after)) %}
        {% set current = api.Relation.create(database=target.database, schema=schema, identifier=(final_table or table) ~ '_current', type='view') %}
        {% set newest = api.Relation.create(database=target.database, schema=schema, identifier=(final_table or table) ~ '_v2', type='view') %}
        {% do statements.append('create or replace view ' ~ current ~ ' as select * from ' ~ newest) %}
    {% endif %}
    {% if state %}
        {% do statements.append(expand_contract.run_state_statement(meta_schema or var('expand_contract_meta_schema'),
                                                                    state.run_id, state.state, state.at)) %}
    {% endif %}
    {% if swap_in or drop_table or (final_table and final_table != table) %}
        {% do expand_contract.run_in_transaction(statements) %}
    {% else %}  {#- the same table, altered: DuckDB alters around its indexes (run_alterations) -#}
        {% do expand_contract.run_alterations(schema, table, statements) %}
    {% endif %}
    {% do expand_contract.emit_result({'statements': statements | length}) %}
{% endmacro %}

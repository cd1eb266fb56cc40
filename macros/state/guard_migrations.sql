{% macro guard_migrations() %}
    {#- on-run-start hook of the package (it runs in every project that installs it): a model whose
        table a migration has under way (backed up, expanded, backfilled, validated or switched)
        must not be rebuilt by `dbt run` / `dbt build` in its old shape, which would silently drop
        the migration's columns and views. Refuses the whole invocation, before any model runs,
        naming each model, its migration and state, and what to do. No state table: nothing to do. -#}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set meta_schema = var('expand_contract_meta_schema', 'expand_contract_meta') %}
    {% set runs = adapter.get_relation(database=target.database, schema=meta_schema, identifier='migration_runs') %}
    {% if runs is none %}{{ return('') }}{% endif %}
    {% set selected = {} %}
    {% for unique_id in selected_resources %}
        {% set node = graph.nodes.get(unique_id) %}
        {% if node and node.resource_type == 'model' and node.config.materialized in ('table', 'incremental') %}
            {% do selected.update({(node.schema ~ '.' ~ (node.alias or node.name)) | lower: node.name}) %}
        {% endif %}
    {% endfor %}
    {% if not selected %}{{ return('') }}{% endif %}
    {% set found = run_query('select migration, relation, state from ' ~ runs ~ ' r where state in '
        ~ "('backed_up', 'expanded', 'backfilled', 'validated', 'switched')"
        ~ ' and created_at = (select max(created_at) from ' ~ runs ~ ' o where o.migration = r.migration)') %}
    {% set blocked = [] %}
    {% for row in expand_contract.rows_as_dicts(found) %}
        {% if row.relation | lower in selected %}
            {% do blocked.append('model ' ~ selected[row.relation | lower] ~ ': ' ~ row.relation ~ ' is under migration '
                                 ~ row.migration ~ ' (state ' ~ row.state ~ ')') %}
        {% endif %}
    {% endfor %}
    {% if blocked %}
        {% do exceptions.raise_compiler_error('expand_contract: refusing to rebuild a table a migration has under way '
            ~ '(dbt would drop its new columns and versioned views): ' ~ blocked | join('; ')
            ~ '. Finish it (`harness migrate complete <spec>`, then update the model to the new shape) or roll it back '
            ~ '(`harness rollback <spec>`), or exclude the model (--exclude).') %}
    {% endif %}
    {{ return('') }}
{% endmacro %}

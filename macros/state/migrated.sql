{% macro migrated(migration) %}
    {#- For a model's SQL that follows a migration of its table: true once `migration`'s latest
        run has contracted (the table has the new shape: build that), false before and after a
        rollback (build the old one). While `harness migrate complete` checks the model before
        contract, it compiles it with the var `expand_contract_contracting` set to the migration:
        true then too. Reads the state tables of `expand_contract_meta_schema`; false at parse time
        and where they do not exist. -#}
    {% if var('expand_contract_contracting', none) == migration %}{{ return(true) }}{% endif %}
    {% if not execute %}{{ return(false) }}{% endif %}
    {% set meta_schema = var('expand_contract_meta_schema', 'expand_contract_meta') %}
    {% set runs = adapter.get_relation(database=target.database, schema=meta_schema, identifier='migration_runs') %}
    {% if runs is none %}{{ return(false) }}{% endif %}
    {% set found = run_query('select state from ' ~ runs ~ ' where migration = ' ~ expand_contract.sql_literal(migration)
        ~ ' order by created_at desc, run_id desc limit 1') %}
    {{ return(found.rows | length > 0 and found.rows[0][0] == 'contracted') }}
{% endmacro %}

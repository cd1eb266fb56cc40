{% macro add_primary_key_sql(relation, step) %}
    {{ return(adapter.dispatch('add_primary_key_sql', 'expand_contract')(relation, step)) }}
{% endmacro %}

{% macro default__add_primary_key_sql(relation, step) %}
    {#- DuckDB: ADD PRIMARY KEY over the columns (it checks the rows then; the file is locked). -#}
    {{ return(['alter table ' ~ relation ~ ' add primary key (' ~ expand_contract.quote_all(step.columns) | join(', ') ~ ')']) }}
{% endmacro %}

{% macro postgres__add_primary_key_sql(relation, step) %}
    {#- The primary key adopts the unique index built CONCURRENTLY (`index`), its columns NOT NULL
        already: no scan under the lock. Nothing to do when the constraint exists. -#}
    {{ return([] if expand_contract.constraint_exists(relation, step.name) else ['alter table ' ~ relation ~ ' add constraint ' ~ adapter.quote(step.name)
               ~ ' primary key using index ' ~ adapter.quote(step.index)]) }}
{% endmacro %}

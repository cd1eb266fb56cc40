{% macro count_orphans(child_schema, child_table, child_column, parent_schema, parent_table, parent_column) %}
    {#- Rows of the child whose (non-NULL) foreign key has no parent row, and up to 10 of those values. -#}
    {% set child = expand_contract.ec_relation(child_schema, child_table) %}
    {% set parent = expand_contract.ec_relation(parent_schema, parent_table) %}
    {% set fk, pk = adapter.quote(child_column), adapter.quote(parent_column) %}
    {% set sql %}
        select c.{{ fk }} as orphan from {{ child }} c
        where c.{{ fk }} is not null
          and not exists (select 1 from {{ parent }} p where p.{{ pk }} = c.{{ fk }})
    {% endset %}
    {% set row = expand_contract.rows_as_dicts(run_query(
        'select count(*) as orphans from (' ~ sql ~ ') o'))[0] %}
    {% set sample = expand_contract.rows_as_dicts(run_query(sql ~ ' order by 1 limit 10')) %}
    {% do expand_contract.emit_result({'orphans': row.orphans, 'sample': sample | map(attribute='orphan') | list}) %}
{% endmacro %}

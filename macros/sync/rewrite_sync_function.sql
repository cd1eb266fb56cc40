{% macro rewrite_sync_function(function, target, key, columns, upsert) %}
    {#- The body of one direction of a rewrite's sync: after a row changes, the same row of `target`
        follows, with `columns` ([{name, expression over the changed row, data_type}]) computed from
        the changed row. `upsert` (the target has the key as primary key) writes with ON CONFLICT,
        which waits for a backfill batch copying that row instead of failing; otherwise UPDATE, then
        INSERT if no row matched. A DELETE (or a key change) deletes the target's row. -#}
    {% set q = adapter.quote %}
    {% set keys = expand_contract.quote_all(key) %}
    {% set old_key, new_key, updates = [], [], [] %}
    {% for k in keys %}{% do old_key.append('OLD.' ~ k) %}{% do new_key.append('NEW.' ~ k) %}{% endfor %}
    {% set computed = expand_contract.computed_columns(columns) %}
    {% set names, values = computed.names, computed.casts %}
    {% for column in columns if column.name not in key %}
        {% do updates.append(q(column.name) ~ ' = excluded.' ~ q(column.name)) %}
    {% endfor %}
    {% set key_list = '(' ~ keys | join(', ') ~ ')' %}
    {% set select_new = 'select ' ~ values | join(', ') ~ ' from (select NEW.*) as ec_row' %}
    {% set write %}
        {% if upsert %}
        insert into {{ target }} ({{ names | join(', ') }}) {{ select_new }}
        on conflict {{ key_list }} do {{ ('update set ' ~ updates | join(', ')) if updates else 'nothing' }};
        {% else %}
        update {{ target }} set ({{ names | join(', ') }}) = ({{ select_new }}) where {{ key_list }} = ({{ new_key | join(', ') }});
        if not found then
            insert into {{ target }} ({{ names | join(', ') }}) {{ select_new }};
        end if;
        {% endif %}
    {% endset %}
    {% set sql %}
create or replace function {{ function }}() returns trigger language plpgsql as $ec_sync$
begin
    if TG_OP = 'DELETE' or (TG_OP = 'UPDATE' and ({{ old_key | join(', ') }}) is distinct from ({{ new_key | join(', ') }})) then
        delete from {{ target }} where {{ key_list }} = ({{ old_key | join(', ') }});
    end if;
    if TG_OP <> 'DELETE' then
        {{ write }}
    end if;
    return null;
end
$ec_sync$
    {% endset %}
    {{ return(sql) }}
{% endmacro %}

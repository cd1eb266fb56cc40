{% macro shape_writer_statements(schema, table, views, writer) %}
    {{ return(adapter.dispatch('shape_writer_statements', 'expand_contract')(schema, table, views, writer)) }}
{% endmacro %}

{% macro default__shape_writer_statements(schema, table, views, writer) %}
    {% do exceptions.raise_compiler_error(adapter.type() ~ ' has no triggers: writes cannot be synced between shapes') %}
{% endmacro %}

{% macro postgres__shape_writer_statements(schema, table, views, writer) %}
    {#- How the new shape's views (`views`, already created in the same transaction) take writes
        while the sync trigger runs: an INSTEAD OF INSERT/UPDATE/DELETE row trigger writes the row
        to the table with `expand_contract.writer` set to the table's name for that statement, so
        the sync trigger knows it is the new shape's write (see install_sync_trigger). Each view
        column gets its physical column's default (an identity's sequence, too), so a column the
        writer leaves out is stored as the table would store it; generated columns are not written.
        UPDATE and DELETE find the row by the migration's key (`writer.key`); a row not found is
        reported as not written (0 rows), as PostgreSQL does. RETURNING gives the stored values.
        `writer`: {new_columns: [[name, physical], ...], key: [physical, ...]}. -#}
    {% set names = expand_contract.sync_trigger_names(schema, table) %}
    {% set q = adapter.quote %}
    {% set relation = expand_contract.ec_relation(schema, table) %}
    {% set facts_sql %}
        select a.attname, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
               pg_get_serial_sequence({{ expand_contract.sql_literal(relation | string) }}, a.attname)
        from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where a.attrelid = {{ expand_contract.sql_literal(relation | string) }}::regclass and a.attnum > 0 and not a.attisdropped
    {% endset %}
    {% set facts = {} %}
    {% for row in run_query(facts_sql) %}
        {% do facts.update({row[0]: {'default': row[1], 'identity': row[2], 'generated': row[3], 'sequence': row[4]}}) %}
    {% endfor %}
    {% set reader = {} %}
    {% for pair in writer.new_columns %}{% do reader.update({pair[1]: pair[0]}) %}{% endfor %}
    {% set written, values, assigned, stored, into, defaults, found = [], [], [], [], [], {}, [] %}
    {% for pair in writer.new_columns %}
        {% set fact = facts.get(pair[1], {}) %}
        {% do stored.append(q(pair[1])) %}
        {% do into.append('NEW.' ~ q(pair[0])) %}
        {% if not fact.get('generated') %}
            {% do written.append(q(pair[1])) %}
            {% do values.append('NEW.' ~ q(pair[0])) %}
            {% do assigned.append(q(pair[1]) ~ ' = NEW.' ~ q(pair[0])) %}
        {% endif %}
        {% if fact.get('identity') %}
            {% do defaults.update({pair[0]: 'nextval(' ~ expand_contract.sql_literal(fact.sequence) ~ '::regclass)'}) %}
        {% elif fact.get('default') and not fact.get('generated') %}
            {% do defaults.update({pair[0]: fact.default}) %}
        {% endif %}
    {% endfor %}
    {% for column in writer.key %}
        {% do found.append('t.' ~ q(column) ~ ' = OLD.' ~ q(reader[column])) %}
    {% endfor %}
    {% set mark = "perform set_config('expand_contract.writer', " ~ expand_contract.sql_literal(names.writer) ~ ', true);' %}
    {% set function_sql %}
create or replace function {{ names.writer_function }}() returns trigger language plpgsql as $ec_write$
declare
    rows_written bigint;
begin
    {{ mark }}
    if TG_OP = 'INSERT' then
        insert into {{ relation }} ({{ written | join(', ') }}) overriding system value
            values ({{ values | join(', ') }}) returning {{ stored | join(', ') }} into {{ into | join(', ') }};
    elsif TG_OP = 'UPDATE' then
        update {{ relation }} as t set {{ assigned | join(', ') }} where {{ found | join(' and ') }}
            returning {{ stored | join(', ') }} into {{ into | join(', ') }};
    else
        delete from {{ relation }} as t where {{ found | join(' and ') }};
    end if;
    get diagnostics rows_written = row_count;
    perform set_config('expand_contract.writer', '', true);
    if rows_written = 0 then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end
$ec_write$
    {% endset %}
    {% set statements = [function_sql] %}
    {% for name in views %}
        {% set view = api.Relation.create(database=target.database, schema=schema, identifier=name, type='view') %}
        {% for column, default in defaults.items() %}
            {% do statements.append('alter view ' ~ view ~ ' alter column ' ~ q(column) ~ ' set default ' ~ default) %}
        {% endfor %}
        {% do statements.append('create trigger ' ~ names.writer_trigger ~ ' instead of insert or update or delete on '
                                ~ view ~ ' for each row execute function ' ~ names.writer_function ~ '()') %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

{% macro create_index_statement(schema, table, name, columns, unique, how, options={}) %}
    {#- The CREATE INDEX statement (`how`: '' or 'concurrently'), `if not exists`. `options`
        (PostgreSQL): method, elements ([{opclass, order, nulls}] per column), include, storage
        ({parameter: value}) and where (a predicate over the table's columns). -#}
    {% set options = options or {} %}
    {% set elements = [] %}
    {% for column in columns %}
        {% set element = (options.get('elements') or [])[loop.index0] if options.get('elements') else {} %}
        {% do elements.append(adapter.quote(column)
            ~ (' ' ~ element.opclass if element.get('opclass') else '')
            ~ (' desc' if element.get('order') == 'desc' else '')
            ~ (' nulls ' ~ element.nulls if element.get('nulls') else '')) %}
    {% endfor %}
    {% set storage = [] %}
    {% for parameter, value in (options.get('storage') or {}).items() %}
        {% do storage.append(parameter ~ ' = ' ~ (('true' if value else 'false') if value is boolean else value)) %}
    {% endfor %}
    {{ return('create ' ~ ('unique ' if unique else '') ~ 'index ' ~ how ~ ' if not exists ' ~ adapter.quote(name)
        ~ ' on ' ~ expand_contract.ec_relation(schema, table)
        ~ (' using ' ~ options.method if options.get('method') else '')
        ~ ' (' ~ elements | join(', ') ~ ')'
        ~ (' include (' ~ expand_contract.quote_all(options.include) | join(', ') ~ ')' if options.get('include') else '')
        ~ (' with (' ~ storage | join(', ') ~ ')' if storage else '')
        ~ (' where ' ~ options.where if options.get('where') else '')) }}
{% endmacro %}

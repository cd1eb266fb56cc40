{% macro record_step(run_id, step, status, started_at, finished_at, seconds, rows_affected=none, checksum=none, detail=none, figures=none, new_state=none, note=none, backup_relation=none, snapshots={}, meta_schema=none) %}
    {#- One line of the migration's journal (what ran, when, how long, on how many rows, with what
        result and figures), the snapshots it took ({label: snapshot}) and, with `new_state`, the
        run's state change, committed together: a crash leaves all or none. -#}
    {% set meta_schema = meta_schema or var('expand_contract_meta_schema') %}
    {% set steps = expand_contract.ec_relation(meta_schema, 'migration_steps') %}
    {% set lit = expand_contract.sql_literal %}
    {% set statements = [
        'insert into ' ~ steps ~ ' (run_id, step, status, started_at, finished_at, seconds, rows_affected, checksum, detail, figures)
         values (' ~ [lit(run_id), lit(step), lit(status),
                    'cast(' ~ lit(started_at) ~ ' as timestamp)', 'cast(' ~ lit(finished_at) ~ ' as timestamp)',
                    lit(seconds), lit(rows_affected), lit(checksum), lit(detail),
                    lit(tojson(figures) if figures else none)] | join(', ') ~ ')'
    ] %}
    {% for label, snapshot in snapshots.items() | sort %}
        {% do statements.extend(expand_contract.snapshot_statements(meta_schema, run_id, label, snapshot)) %}
    {% endfor %}
    {% if new_state is not none %}
        {% do statements.append(expand_contract.run_state_statement(meta_schema, run_id, new_state, finished_at, note, backup_relation)) %}
    {% endif %}
    {% do expand_contract.run_in_transaction(statements) %}
{% endmacro %}

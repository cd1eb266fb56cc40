{% macro run_statements(sql) %}
    {#- A raw_sql operation's `up` or `down`: the user's statements, in one transaction under
        lock_timeout (PostgreSQL). -#}
    {% do expand_contract.run_in_transaction([sql.strip().rstrip(';')]) %}
{% endmacro %}

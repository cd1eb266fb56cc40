{% macro server_signals(schema, table) %}
    {{ return(adapter.dispatch('server_signals', 'expand_contract')(schema, table)) }}
{% endmacro %}

{% macro default__server_signals(schema, table) %}
    {% do exceptions.raise_compiler_error('server_signals: ' ~ adapter.type() ~ ' has no replicas or other sessions') %}
{% endmacro %}

{% macro postgres__server_signals(schema, table) %}
    {#- What the backfill's pacing watches on the server besides the probe, in one query: how far
        the furthest streaming replica is behind (the WAL it has not replayed, in bytes, and its
        replay lag in seconds as pg_stat_replication measures it; 0 without replicas) and the age
        of the oldest transaction another client holds open in this database (it keeps VACUUM from removing the
        row versions the backfill leaves), and the database's transactions committed and rolled
        back so far (pg_stat_database: the caller takes the difference between two looks as the
        workload's error rate); and for the charts, the client connections against
        max_connections, the WAL position in bytes and the size of `table` (with its indexes and
        TOAST). Needs superuser or pg_monitor to see other sessions' positions and transactions
        (others read 0). Emits {standbys, lag_bytes, lag_seconds, oldest_transaction_seconds,
        commits, rollbacks, connections, max_connections, wal_bytes, table_bytes}. -#}
    {% set found = run_query("select (select count(*) from pg_stat_replication),"
        ~ " (select coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) from pg_stat_replication),"
        ~ " (select coalesce(max(extract(epoch from replay_lag)), 0) from pg_stat_replication),"
        ~ " (select coalesce(max(extract(epoch from clock_timestamp() - xact_start)), 0) from pg_stat_activity"
        ~ "  where backend_type = 'client backend' and pid <> pg_backend_pid() and xact_start is not null"
        ~ "  and datname = current_database()),"
        ~ " xact_commit, xact_rollback,"
        ~ " (select count(*) from pg_stat_activity where backend_type = 'client backend'),"
        ~ " current_setting('max_connections')::int,"
        ~ " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0'),"
        ~ " pg_total_relation_size(" ~ expand_contract.sql_literal(expand_contract.ec_relation(schema, table) | string) ~ ")"
        ~ " from pg_stat_database where datname = current_database()") %}
    {% set row = found.rows[0] %}
    {% do expand_contract.emit_result({'standbys': row[0] | int, 'lag_bytes': row[1] | float,
                                       'lag_seconds': row[2] | float, 'oldest_transaction_seconds': row[3] | float,
                                       'commits': row[4] | int, 'rollbacks': row[5] | int,
                                       'connections': row[6] | int, 'max_connections': row[7] | int,
                                       'wal_bytes': row[8] | float, 'table_bytes': row[9] | float}) %}
{% endmacro %}

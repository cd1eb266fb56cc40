{% macro replication_lag() %}
    {{ return(adapter.dispatch('replication_lag', 'expand_contract')()) }}
{% endmacro %}

{% macro default__replication_lag() %}
    {% do exceptions.raise_compiler_error('replication_lag: ' ~ adapter.type() ~ ' has no replicas') %}
{% endmacro %}

{% macro postgres__replication_lag() %}
    {#- How far the furthest streaming replica is behind this server: the WAL it has not replayed
        yet, in bytes, and its replay lag in seconds as the server measures it (none while idle);
        {standbys: 0} without replicas. Reads pg_stat_replication (superuser or pg_monitor: others
        see no positions, and the lag then reads 0). Emits {standbys, bytes, seconds}. -#}
    {% set found = run_query("select count(*), coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0),"
        ~ " coalesce(max(extract(epoch from replay_lag)), 0) from pg_stat_replication") %}
    {% set row = found.rows[0] %}
    {% do expand_contract.emit_result({'standbys': row[0] | int, 'bytes': row[1] | float, 'seconds': row[2] | float}) %}
{% endmacro %}

{% macro probe_latency(schema, table, probes=3, timeout_ms=1000) %}
    {{ return(adapter.dispatch('probe_latency', 'expand_contract')(schema, table, probes, timeout_ms)) }}
{% endmacro %}

{% macro default__probe_latency(schema, table, probes, timeout_ms) %}
    {% do exceptions.raise_compiler_error('probe_latency: ' ~ adapter.type() ~ ' has one process per file: no reader to watch') %}
{% endmacro %}

{% macro postgres__probe_latency(schema, table, probes, timeout_ms) %}
    {#- What a reader of `table` waits now: the milliseconds each of `probes` one-row reads takes,
        timed in the server (a client's own overhead is not the server's load), each its own
        transaction, a lock the read would wait on included (cut off after `timeout_ms`: a read
        still waiting then counts as that long). The read fetches one row position (a TID scan),
        so its cost does not grow with the table or with the dead rows a backfill leaves behind.
        Reads only. Emits {milliseconds: [...]}. -#}
    {% set probe %}
do $ec_probe$
declare
    started timestamptz := clock_timestamp();
begin
    perform set_config('lock_timeout', '{{ timeout_ms | int }}ms', true);
    begin
        perform 1 from {{ expand_contract.ec_relation(schema, table) }} where ctid = '(0,1)'::tid;
    exception when lock_not_available then
        null;  -- waited timeout_ms
    end;
    perform set_config('expand_contract.probe_ms', (extract(epoch from clock_timestamp() - started) * 1000)::text, false);
end
$ec_probe$
    {% endset %}
    {% set taken = [] %}
    {% for _ in range(probes | int) %}
        {% do run_query(probe) %}
        {% do taken.append(run_query("select cast(current_setting('expand_contract.probe_ms') as float)").rows[0][0] | float) %}
    {% endfor %}
    {% do expand_contract.emit_result({'milliseconds': taken}) %}
{% endmacro %}

{% macro log_backfill_progress(table, batch_no, rows, seconds, rows_done, rows_total) %}
    {#- One line per batch in dbt's log (and console with `dbt run-operation`): rows, rows/s and,
        when the total is known, progress and ETA, the numbers the harness's progress bar shows. -#}
    {% set rate = rows / ([seconds, 0.000001] | max) %}
    {% set line = 'expand_contract backfill ' ~ table ~ ': batch ' ~ batch_no ~ ', ' ~ rows ~ ' rows in '
        ~ '%.3f' | format(seconds) ~ ' s (' ~ '%.0f' | format(rate) ~ ' rows/s)' %}
    {% if rows_total %}
        {% set left = [rows_total - rows_done, 0] | max %}
        {% set line = line ~ '; ' ~ rows_done ~ '/' ~ rows_total ~ ' rows, ETA ' ~ '%.1f' | format(left / ([rate, 0.000001] | max)) ~ ' s' %}
    {% endif %}
    {% do log(line, info=true) %}
{% endmacro %}

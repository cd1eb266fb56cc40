{% macro backfill_marker_statements() %}
    {{ return(adapter.dispatch('backfill_marker_statements', 'expand_contract')()) }}
{% endmacro %}

{% macro default__backfill_marker_statements() %}
    {{ return([]) }}
{% endmacro %}

{% macro postgres__backfill_marker_statements() %}
    {#- Marks the backfill's transaction so the sync trigger leaves its updates alone. -#}
    {{ return(["set local expand_contract.backfill = 'on'"]) }}
{% endmacro %}

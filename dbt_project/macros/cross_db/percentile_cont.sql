{#- Continuous percentile (linear interpolation) as an aggregate over a
    group. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(
        adapter.dispatch('percentile_cont', 'uptake')(expression, fraction)
    ) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{#- A select-list expression giving one row per integer from start to stop
    (inclusive), for each input row; start and stop may be column expressions.
    Used for per-account date series. -#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series', 'uptake')(start, stop)) }}
{%- endmacro %}

{% macro default__integer_series(start, stop) -%}
    generate_series({{ start }}, {{ stop }})
{%- endmacro %}

{% macro duckdb__integer_series(start, stop) -%}
    unnest(
        generate_series(cast({{ start }} as bigint), cast({{ stop }} as bigint))
    )
{%- endmacro %}

{% macro postgres__integer_series(start, stop) -%}
    generate_series(cast({{ start }} as integer), cast({{ stop }} as integer))
{%- endmacro %}

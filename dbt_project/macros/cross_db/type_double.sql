{#- An 8-byte float on every adapter (type_double() is a 4-byte FLOAT on
    DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'uptake')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

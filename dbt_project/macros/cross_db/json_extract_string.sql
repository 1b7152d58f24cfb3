{#- A top-level JSON key of a VARCHAR column as text (null when absent or not
    JSON-shaped). -#}
{% macro json_extract_string(json_expression, key) -%}
    {{ return(
        adapter.dispatch('json_extract_string', 'uptake')(json_expression, key)
    ) }}
{%- endmacro %}

{% macro default__json_extract_string(json_expression, key) -%}
    json_extract_path_text({{ json_expression }}, '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_extract_string(json_expression, key) -%}
    json_extract_string({{ json_expression }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_extract_string(json_expression, key) -%}
    (cast({{ json_expression }} as json) ->> '{{ key }}')
{%- endmacro %}

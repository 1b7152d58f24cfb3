{#- A select-list expression that turns a delimited string into one row per
    element (e.g. catalog `events` "A|B" -> rows "A", "B"). Used as
    `select id, {{ split_to_rows(...) }} as x`. -#}
{% macro split_to_rows(string_expression, delimiter) -%}
    {{ return(
        adapter.dispatch('split_to_rows', 'uptake')(
            string_expression, delimiter
        )
    ) }}
{%- endmacro %}

{% macro default__split_to_rows(string_expression, delimiter) -%}
    unnest(string_to_array({{ string_expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro duckdb__split_to_rows(string_expression, delimiter) -%}
    unnest(string_split({{ string_expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro postgres__split_to_rows(string_expression, delimiter) -%}
    unnest(string_to_array({{ string_expression }}, '{{ delimiter }}'))
{%- endmacro %}

{#- Schemas are exactly staging / intermediate / marts (no target-schema
    prefix), so BI tools and the Python scorers find the same names on every
    target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of a source table that Python writes after dbt (uptake.ml's
    personas), or no rows with the same columns while it does not exist (the
    first run, or a target nothing writes to). `columns` maps each column to its
    type; only those columns are read. Calling source() keeps the table in the
    lineage, so `dbt build --select source:<name>+` rebuilds the models that
    read it. -#}
{% macro optional_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = none -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database,
            schema=relation.schema,
            identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if found is not none %}
    select
        {%- for name, sql_type in columns.items() %}
        cast({{ name }} as {{ sql_type }})
            as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for name, sql_type in columns.items() %}
        cast(null as {{ sql_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

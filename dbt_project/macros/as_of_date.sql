{#- The day the marts describe. From the var `as_of_date` (ISO string) when
    given, otherwise the latest _delivery_date found in raw. Never current_date:
    a rerun of a day gives the same rows. -#}
{% macro as_of_date_string() %}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured -%}
        {{- return(
            modules.datetime.date.fromisoformat(configured | string) | string
        ) -}}
    {%- endif -%}
    {%- if not execute -%}
        {{- return('1970-01-01') -}}
    {%- endif -%}
    {%- set delivered = [] -%}
    {%- set raw_tables = [
        'product_events',
        'crm_accounts',
        'support_tickets',
        'cs_notes',
        'cs_interventions',
    ] -%}
    {%- for table_name in raw_tables -%}
        {%- set relation = adapter.get_relation(
            database=target.database, schema='raw', identifier=table_name
        ) -%}
        {%- if relation is not none -%}
            {%- do delivered.append(
                'select max(_delivery_date) as delivered_on from ' ~ relation
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if delivered | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date: no raw tables found; load raw first or pass "
            ~ "--vars '{as_of_date: YYYY-MM-DD}'"
        ) }}
    {%- endif -%}
    {%- set result = run_query(
        'select max(delivered_on) from ('
        ~ (delivered | join(' union all '))
        ~ ') as deliveries'
    ) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date: raw holds no delivery yet; "
            ~ "pass --vars '{as_of_date: YYYY-MM-DD}'"
        ) }}
    {%- endif -%}
    {{- return(latest | string) -}}
{% endmacro %}

{% macro as_of_date() -%}
    cast('{{ as_of_date_string() }}' as date)
{%- endmacro %}

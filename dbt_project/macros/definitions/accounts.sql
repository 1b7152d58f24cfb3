{#- Employee bands used in cohorts (industry x employee band x plan). -#}
{% macro employee_band(employees) -%}
    case
        when {{ employees }} is null then 'unknown'
        when {{ employees }} < 100 then 'smb'
        when {{ employees }} < 1000 then 'mid_market'
        else 'enterprise'
    end
{%- endmacro %}

{#- One part of a cohort key: trimmed, lower case, 'unknown' when null or empty
    (a CRM export may leave industry or plan empty for every account). -#}
{% macro cohort_part(expression) -%}
    coalesce(nullif(lower(trim({{ expression }})), ''), 'unknown')
{%- endmacro %}

{#- The fine cohort key: industry|employee_band|plan, lower case, 'unknown' for
    missing parts. -#}
{% macro cohort_key(industry, employees, plan) -%}
    {{ dbt.concat([
        cohort_part(industry),
        "'|'",
        employee_band(employees),
        "'|'",
        cohort_part(plan),
    ]) }}
{%- endmacro %}

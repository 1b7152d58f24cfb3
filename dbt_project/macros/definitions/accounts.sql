{#- Employee bands used in cohorts (industry x employee band x plan). -#}
{% macro employee_band(employees) -%}
    case
        when {{ employees }} is null then 'unknown'
        when {{ employees }} < 100 then 'smb'
        when {{ employees }} < 1000 then 'mid_market'
        else 'enterprise'
    end
{%- endmacro %}

{#- The fine cohort key: industry|employee_band|plan, lower case, 'unknown' for missing parts. -#}
{% macro cohort_key(industry, employees, plan) -%}
    {{ dbt.concat([
        "coalesce(lower(" ~ industry ~ "), 'unknown')",
        "'|'",
        employee_band(employees),
        "'|'",
        "coalesce(lower(" ~ plan ~ "), 'unknown')",
    ]) }}
{%- endmacro %}

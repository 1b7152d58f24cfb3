{#- Date arithmetic that stays a DATE on every adapter (dbt.dateadd returns a
    timestamp). -#}
{% macro add_days(date_expression, days) -%}
    cast({{ dbt.dateadd('day', days, date_expression) }} as date)
{%- endmacro %}

{#- Days from start to end, as an integer (DuckDB's date_diff is a BIGINT,
    PostgreSQL's an INTEGER: the cast gives both targets the type the mart
    contracts declare). -#}
{% macro days_between(start_date, end_date) -%}
    cast(
        {{ dbt.datediff(start_date, end_date, 'day') | trim }}
        as {{ dbt.type_int() }}
    )
{%- endmacro %}

{#- The trailing window of `days` days that ends on (and includes) end_date:
    (end - days, end]. -#}
{% macro in_trailing_window(date_expression, end_date, days) -%}
    (
        {{ date_expression }} > {{ add_days(end_date, -days) }}
        and {{ date_expression }} <= {{ end_date }}
    )
{%- endmacro %}

{#- x / y, null when y is null or zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    (
        cast({{ numerator }} as {{ type_double() }})
        / nullif(cast({{ denominator }} as {{ type_double() }}), 0)
    )
{%- endmacro %}

{#- True when a value differs from another, nulls compared as values (portable
    "is distinct from"). -#}
{% macro value_changed(current_value, previous_value) -%}
    coalesce(
        {{ current_value }} <> {{ previous_value }}
        or ({{ current_value }} is null and {{ previous_value }} is not null)
        or ({{ current_value }} is not null and {{ previous_value }} is null),
        false
    )
{%- endmacro %}

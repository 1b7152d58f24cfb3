{#- `dbt source freshness` measured against the as-of date, not the wall clock.

    dbt computes a source's age as snapshotted_at - max(loaded_at_field), with
    snapshotted_at = current_timestamp. A run describes one day, as_of_date, and
    may run on history from any year: a 2019 landing zone is not stale because
    today is later. This replaces dbt's default__collect_freshness (dbt searches
    the root project first): "now" is the start of the as-of day, and deliveries
    dated after it are not counted (the marts do not read them either). With
    loaded_at_field = the delivery date, the age is the days from the newest
    delivery to the as-of date; no delivery at or before it is an infinitely old
    source (dbt's rule for null). -#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
    {%- set as_of_start = "cast('" ~ as_of_date_string() ~ "' as "
        ~ dbt.type_timestamp() ~ ")" -%}
    {% call statement(
        'collect_freshness', fetch_result=True, auto_begin=False
    ) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {{ as_of_start }} as snapshotted_at
        from {{ source }}
        where {{ loaded_at_field }} <= {{ as_of_start }}
        {% if filter %}
            and ({{ filter }})
        {% endif %}
    {% endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ event_window_hook(
        'usage_date', upstream=['int_user_feature_usage_daily']
    ) }}",
) }}

-- Incremental: whole days from the window start on are deleted and aggregated
-- again, so active_users (distinct users of a day, not additive) is always
-- counted over the whole day.
{%- set window_start = event_window_start(
    upstream=['int_user_feature_usage_daily']
) %}
with

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}
    {%- if is_incremental() %}
        where usage_date >= cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        account_id,
        feature_key,
        usage_date,
        cast(sum(events) as {{ dbt.type_bigint() }}) as events,
        count(distinct user_id) as active_users

    from feature_usage
    group by
        account_id,
        feature_key,
        usage_date

)

select * from final

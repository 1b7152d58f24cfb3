{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ event_window_hook(
        'usage_date', upstream=['int_track_events_attributed']
    ) }}",
) }}

-- Feature events per account, user, feature, day and delivery day. Incremental:
-- days from the window start on are deleted and aggregated again
-- (macros/incremental_events.sql).
{%- set window_start = event_window_start(
    upstream=['int_track_events_attributed']
) %}
with

feature_events as (

    select * from {{ ref('int_feature_events_mapped') }}
    {%- if is_incremental() %}
        where event_date >= cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        account_id,
        user_id,
        feature_key,
        event_date as usage_date,
        delivered_on,
        count(*) as events

    from feature_events
    group by
        account_id,
        user_id,
        feature_key,
        event_date,
        delivered_on

)

select * from final

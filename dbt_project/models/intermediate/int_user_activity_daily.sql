{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ event_window_hook(
        'activity_date', upstream=['int_track_events_attributed']
    ) }}",
) }}

-- Every attributed track event (feature or not) per account, user, day and
-- delivery day: the base of active users, DAU/MAU and dormancy. delivered_on
-- keeps point-in-time views honest. Incremental: days from the window start on
-- are deleted and aggregated again.
{%- set window_start = event_window_start(
    upstream=['int_track_events_attributed']
) %}
with

track_events as (

    select * from {{ ref('int_track_events_attributed') }}
    {%- if is_incremental() %}
        where event_date >= cast('{{ window_start }}' as date)
    {%- endif %}

),

final as (

    select
        account_id,
        user_id,
        event_date as activity_date,
        delivered_on,
        count(*) as events

    from track_events
    group by
        account_id,
        user_id,
        event_date,
        delivered_on

)

select * from final

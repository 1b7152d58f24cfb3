{{ config(materialized='table') }}

-- Every attributed track event (feature or not) per account, user, day and delivery day: the
-- base of active users, DAU/MAU and dormancy. delivered_on keeps point-in-time views honest.
with

track_events as (

    select * from {{ ref('int_track_events_attributed') }}

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

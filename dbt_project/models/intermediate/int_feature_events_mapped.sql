-- Attributed track events that count as using a feature (grain: message x
-- feature).
with

track_events as (

    select * from {{ ref('int_track_events_attributed') }}

),

event_features as (

    select * from {{ ref('int_catalog_events_split') }}

),

final as (

    select
        track_events.message_id,
        event_features.feature_key,
        track_events.account_id,
        track_events.user_id,
        track_events.event_name,
        track_events.event_at,
        track_events.event_date,
        track_events.delivered_on

    from track_events
    inner join event_features
        on lower(trim(track_events.event_name)) = event_features.event_name

)

select * from final

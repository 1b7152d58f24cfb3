{{ config(materialized='table') }}

-- Feature events per account, user, feature, day and delivery day.
with

feature_events as (

    select * from {{ ref('int_feature_events_mapped') }}

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

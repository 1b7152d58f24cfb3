{{ config(materialized='table') }}

-- The adoption rule evaluated on every day an account used any feature
-- (adoption can only begin on such a day): when each feature was first adopted,
-- and whether an intervention was followed by adoption. Uses event time, not
-- delivery time (an outcome measured afterwards).
with

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

usage_days as (

    select distinct
        account_id,
        usage_date as evaluated_on

    from feature_usage

),

evaluated as (

    {{ feature_window_metrics(
        'usage_days', 'feature_usage', 'activity', 'features'
    ) }}

),

final as (

    select
        account_id,
        feature_key,
        evaluated_on,
        events_30d,
        active_users_30d,
        account_active_users_30d,
        feature_adoption_rate,
        is_adopted

    from evaluated

)

select * from final

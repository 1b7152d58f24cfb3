{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ event_window_hook(
        'evaluated_on',
        upstream=['int_user_feature_usage_daily', 'int_user_activity_daily']
    ) }}",
) }}

-- The adoption rule evaluated on every day an account used any feature
-- (adoption can only begin on such a day): when each feature was first adopted,
-- and whether an intervention was followed by adoption. Uses event time, not
-- delivery time (an outcome measured afterwards).
-- Incremental: evaluation days from the window start on are deleted and
-- evaluated again, over usage from 30 days before the window start (a day's
-- rule reads its trailing 30 days).
{%- set upstream = [
    'int_user_feature_usage_daily', 'int_user_activity_daily'
] %}
{%- set window_start = event_window_start(upstream=upstream) %}
{%- set lookback_start = dbt.dateadd(
    'day', -30, "cast('" ~ window_start ~ "' as date)"
) %}
with

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}
    {%- if is_incremental() %}
        where usage_date > {{ lookback_start }}
    {%- endif %}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}
    {%- if is_incremental() %}
        where activity_date > {{ lookback_start }}
    {%- endif %}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

usage_days as (

    select distinct
        account_id,
        usage_date as evaluated_on

    from feature_usage
    {%- if is_incremental() %}
        where usage_date >= cast('{{ window_start }}' as date)
    {%- endif %}

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

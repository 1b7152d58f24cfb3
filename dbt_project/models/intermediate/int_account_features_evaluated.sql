-- Every (account, feature) that is entitled or was ever used, measured at
-- as_of_date: lifetime first/last use, the 30-day window metrics and the
-- adoption status.
with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

entitled as (

    select * from {{ ref('int_account_features_entitled') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

feature_events as (

    select * from {{ ref('int_feature_events_mapped') }}

),

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}

),

lifetime_usage as (

    select
        account_id,
        feature_key,
        min(event_at) as first_used_at,
        max(event_at) as last_used_at,
        count(*) as events_lifetime

    from feature_events
    group by account_id, feature_key

),

previous_window as (

    select
        account_id,
        feature_key,
        cast(sum(events) as {{ dbt.type_bigint() }}) as events_prev_30d

    from feature_usage
    where {{ in_trailing_window(
        'usage_date', add_days(as_of_date(), -30), 30
    ) }}
    group by account_id, feature_key

),

first_adoptions as (

    select * from {{ ref('int_account_feature_first_adoptions') }}

),

as_of_points as (

    select
        account_id,
        {{ as_of_date() }} as evaluated_on

    from accounts

),

current_window as (

    {{ feature_window_metrics(
        'as_of_points', 'feature_usage', 'activity', 'features'
    ) }}

),

account_activity as (

    select
        account_id,
        count(distinct user_id) as account_active_users_30d

    from activity
    where {{ in_trailing_window('activity_date', as_of_date(), 30) }}
    group by account_id

),

account_features as (

    select
        account_id,
        feature_key

    from entitled

    union

    select
        lifetime_usage.account_id,
        lifetime_usage.feature_key

    from lifetime_usage
    inner join accounts
        on lifetime_usage.account_id = accounts.account_id

),

final as (

    select
        ----------  ids
        account_features.account_id,
        account_features.feature_key,

        ---------- feature attributes
        features.feature_name,
        features.category,
        features.value_weight,
        features.active_min_events_30d,
        features.expected_days_to_adopt,
        entitled.feature_key is not null as is_entitled,

        ---------- usage
        lifetime_usage.first_used_at,
        lifetime_usage.last_used_at,
        coalesce(lifetime_usage.events_lifetime, 0) as events_lifetime,
        coalesce(current_window.events_30d, 0) as events_30d,
        coalesce(previous_window.events_prev_30d, 0) as events_prev_30d,
        coalesce(current_window.users_30d, 0) as users_30d,
        coalesce(current_window.active_users_30d, 0) as active_users_30d,
        coalesce(account_activity.account_active_users_30d, 0)
            as account_active_users_30d,
        {{ feature_adoption_rate(
            'coalesce(current_window.active_users_30d, 0)',
            'account_activity.account_active_users_30d',
        ) }} as feature_adoption_rate,
        {{ adoption_status(
            'current_window.events_30d',
            'current_window.active_users_30d',
            'account_activity.account_active_users_30d',
            'features.active_min_events_30d',
            'lifetime_usage.first_used_at',
        ) }} as adoption_status,

        ---------- dates
        first_adoptions.first_adopted_date,
        {{ add_days(
            'accounts.contract_start', 'features.expected_days_to_adopt'
        ) }} as expected_adoption_date,
        {{ days_between(
            add_days(
                'accounts.contract_start', 'features.expected_days_to_adopt'
            ),
            as_of_date()
        ) }} as adoption_overdue_days

    from account_features
    inner join accounts
        on account_features.account_id = accounts.account_id
    inner join features
        on account_features.feature_key = features.feature_key
    left join entitled
        on
            account_features.account_id = entitled.account_id
            and account_features.feature_key = entitled.feature_key
    left join lifetime_usage
        on
            account_features.account_id = lifetime_usage.account_id
            and account_features.feature_key = lifetime_usage.feature_key
    left join previous_window
        on
            account_features.account_id = previous_window.account_id
            and account_features.feature_key = previous_window.feature_key
    left join first_adoptions
        on
            account_features.account_id = first_adoptions.account_id
            and account_features.feature_key = first_adoptions.feature_key
    left join current_window
        on
            account_features.account_id = current_window.account_id
            and account_features.feature_key = current_window.feature_key
    left join account_activity
        on account_features.account_id = account_activity.account_id

)

select * from final

with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

cohorts as (

    select * from {{ ref('int_account_cohorts') }}

),

feature_adoption as (

    select * from {{ ref('account_feature_adoption') }}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}

),

product_settings as (

    select * from {{ ref('stg_catalog__product_settings') }}

),

complexity as (

    select
        coalesce(
            max(
                case
                    when setting_key = 'complexity' then lower(setting_value)
                end
            ),
            'moderate'
        ) as product_complexity

    from product_settings

),

depth as (

    select
        account_id,
        cast(sum(
            case when is_entitled then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as features_entitled,
        cast(sum(
            case
                when is_entitled and adoption_status = 'adopted' then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as features_adopted,
        sum(
            case
                when is_entitled
                    then {{ depth_weight('category', 'value_weight') }}
                else 0
            end
        ) as entitled_weight,
        sum(
            case
                when is_entitled and adoption_status = 'adopted'
                    then {{ depth_weight('category', 'value_weight') }}
                else 0
            end
        ) as adopted_weight,
        cast(sum(
            case when is_entitled and category = 'core' then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as core_entitled,
        cast(sum(
            case
                when
                    is_entitled
                    and category = 'core'
                    and first_adopted_date is not null
                    then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as core_ever_adopted,
        max(
            case
                when is_entitled and category = 'core' then first_adopted_date
            end
        ) as core_set_adopted_on,
        min(case when category = 'core' then first_used_at end)
            as first_core_used_at

    from feature_adoption
    group by account_id

),

window_activity as (

    select
        account_id,
        count(distinct case
            when {{ in_trailing_window('activity_date', as_of_date(), 30) }}
                then user_id
        end) as active_users_30d,
        cast(sum(
            case
                when {{ in_trailing_window('activity_date', as_of_date(), 30) }}
                    then events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_30d,
        cast(sum(
            case
                when {{ in_trailing_window(
                    'activity_date', add_days(as_of_date(), -30), 30
                ) }}
                    then events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_prev_30d,
        min(activity_date) as first_activity_date

    from activity
    group by account_id

),

daily_active as (

    select
        account_id,
        -- mean daily active users over the 30 days (days without activity
        -- count as zero)
        count(distinct {{ dbt.concat([
            'user_id', "'@'", dbt.cast('activity_date', dbt.type_string())
        ]) }})
        / 30.0 as mean_daily_active_users

    from activity
    where {{ in_trailing_window('activity_date', as_of_date(), 30) }}
    group by account_id

),

last_seen as (

    select
        account_id,
        user_id,
        max(activity_date) as last_activity_on

    from activity
    where user_id is not null
    group by account_id, user_id

),

dormancy as (

    select
        account_id,
        -- users whose last activity is 14 to 30 days before as_of_date
        cast(sum(
            case
                when
                    {{ days_between('last_activity_on', as_of_date()) }}
                    between 14 and 30
                    then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as dormant_users

    from last_seen
    group by account_id

),

measured as (

    select
        accounts.account_id,
        accounts.seats,
        cohorts.cohort_key,
        cohorts.benchmark_cohort_key,
        cohorts.benchmark_cohort_level,
        cohorts.benchmark_cohort_accounts,
        case when cohorts.is_benchmark_peer then 1 else 0 end as peer_flag,
        coalesce(depth.features_entitled, 0) as features_entitled,
        coalesce(depth.features_adopted, 0) as features_adopted,
        coalesce(window_activity.active_users_30d, 0) as active_users_30d,
        coalesce(window_activity.events_30d, 0) as events_30d,
        coalesce(window_activity.events_prev_30d, 0) as events_prev_30d,
        coalesce(dormancy.dormant_users, 0) as dormant_users,
        window_activity.first_activity_date,
        {{ round_float(safe_divide(
            '100 * depth.features_adopted', 'depth.features_entitled'
        ), 2) }} as adoption_depth_pct,
        {{ round_float(safe_divide(
            '100 * depth.adopted_weight', 'depth.entitled_weight'
        ), 2) }} as weighted_depth_pct,
        {{ round_float(safe_divide(
            'coalesce(window_activity.active_users_30d, 0)', 'accounts.seats'
        ), 4) }} as license_utilization,
        {{ round_float(safe_divide(
            'coalesce(daily_active.mean_daily_active_users, 0)',
            'window_activity.active_users_30d'
        ), 4) }} as dau_mau,
        case
            when depth.first_core_used_at is not null
                then greatest(0, {{ days_between(
                    'accounts.contract_start',
                    'cast(depth.first_core_used_at as date)'
                ) }})
        end as time_to_value_days,
        case
            when depth.core_entitled > 0
                and depth.core_ever_adopted = depth.core_entitled
                then greatest(0, {{ days_between(
                    'window_activity.first_activity_date',
                    'depth.core_set_adopted_on'
                ) }})
        end as adoption_velocity_days,
        {{ round_float(usage_trend(
            'coalesce(window_activity.events_30d, 0)',
            'coalesce(window_activity.events_prev_30d, 0)'
        ), 4) }} as usage_trend_30d,
        complexity.product_complexity

    from accounts
    inner join cohorts
        on accounts.account_id = cohorts.account_id
    cross join complexity
    left join depth
        on accounts.account_id = depth.account_id
    left join window_activity
        on accounts.account_id = window_activity.account_id
    left join daily_active
        on accounts.account_id = daily_active.account_id
    left join dormancy
        on accounts.account_id = dormancy.account_id

),

scored as (

    select
        measured.*,
        {{ adoption_score(
            'weighted_depth_pct',
            'license_utilization',
            'dau_mau',
            'events_30d',
            'events_prev_30d',
            'active_users_30d',
            'dormant_users',
        ) }} as adoption_score

    from measured

),

ranked as (

    -- Peers of the benchmark cohort (churned accounts never count) below the
    -- account's score, and all its peers but itself. The default window frame
    -- ends with the current row's ties, so the first sum less the second counts
    -- strictly lower scores.
    select
        scored.*,
        sum(scored.peer_flag)
            over (
                partition by scored.benchmark_cohort_key
                order by scored.adoption_score
            )
        - sum(scored.peer_flag) over (
            partition by scored.benchmark_cohort_key, scored.adoption_score
        ) as peers_below,
        sum(scored.peer_flag) over (partition by scored.benchmark_cohort_key)
        - scored.peer_flag as other_peers

    from scored

),

final as (

    select
        ----------  ids
        account_id,
        {{ as_of_date() }} as as_of_date,

        ---------- cohort
        cohort_key,
        benchmark_cohort_key,
        benchmark_cohort_level,
        benchmark_cohort_accounts,
        product_complexity,

        ---------- metrics
        features_entitled,
        features_adopted,
        adoption_depth_pct,
        weighted_depth_pct,
        seats,
        active_users_30d,
        license_utilization,
        dau_mau,
        time_to_value_days,
        adoption_velocity_days,
        events_30d,
        events_prev_30d,
        usage_trend_30d,
        dormant_users,
        adoption_score,
        -- share of the other peers scoring lower: percent_rank among the peers
        -- (a churned account is ranked against them without being one); 0
        -- without other peers
        {{ round_float(
            '100 * coalesce('
            ~ safe_divide('peers_below', 'other_peers')
            ~ ', 0)',
            1
        ) }} as cohort_percentile,
        {{ benchmark_band('adoption_depth_pct', 'product_complexity') }}
            as benchmark_band,

        ---------- dates
        first_activity_date

    from ranked

)

select * from final

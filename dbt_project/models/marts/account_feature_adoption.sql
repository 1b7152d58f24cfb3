with

evaluated as (

    select * from {{ ref('int_account_features_evaluated') }}

),

cohorts as (

    select * from {{ ref('int_account_cohorts') }}

),

with_cohorts as (

    select
        evaluated.*,
        cohorts.benchmark_cohort_key,
        -- only peers (accounts that are not churned) count in the cohort's
        -- totals
        case
            when evaluated.is_entitled and cohorts.is_benchmark_peer then 1
            else 0
        end as entitled_flag,
        case
            when evaluated.is_entitled
                and cohorts.is_benchmark_peer
                and evaluated.adoption_status = 'adopted'
                then 1
            else 0
        end as adopted_flag

    from evaluated
    inner join cohorts
        on evaluated.account_id = cohorts.account_id

),

cohort_feature_totals as (

    select
        benchmark_cohort_key,
        feature_key,
        cast(sum(entitled_flag) as {{ dbt.type_bigint() }})
            as entitled_accounts,
        cast(sum(adopted_flag) as {{ dbt.type_bigint() }}) as adopted_accounts

    from with_cohorts
    group by benchmark_cohort_key, feature_key

),

final as (

    select
        ----------  ids
        with_cohorts.account_id,
        with_cohorts.feature_key,

        ---------- attributes
        with_cohorts.feature_name,
        with_cohorts.category,
        with_cohorts.value_weight,
        with_cohorts.is_entitled,
        with_cohorts.adoption_status,
        with_cohorts.benchmark_cohort_key,

        ---------- metrics
        with_cohorts.events_30d,
        with_cohorts.events_prev_30d,
        with_cohorts.events_lifetime,
        with_cohorts.users_30d,
        with_cohorts.active_users_30d,
        with_cohorts.account_active_users_30d,
        with_cohorts.feature_adoption_rate,
        with_cohorts.active_min_events_30d,
        with_cohorts.expected_days_to_adopt,
        with_cohorts.adoption_overdue_days,
        -- share of the other entitled peers of the benchmark cohort that
        -- adopted the feature
        {{ safe_divide(
            'cohort_feature_totals.adopted_accounts'
            ~ ' - with_cohorts.adopted_flag',
            'cohort_feature_totals.entitled_accounts'
            ~ ' - with_cohorts.entitled_flag',
        ) }} as peer_adoption_rate,

        ---------- dates
        with_cohorts.first_used_at,
        with_cohorts.last_used_at,
        with_cohorts.first_adopted_date,
        with_cohorts.expected_adoption_date,
        {{ as_of_date() }} as as_of_date

    from with_cohorts
    inner join cohort_feature_totals
        on
            with_cohorts.benchmark_cohort_key
            = cohort_feature_totals.benchmark_cohort_key
            and with_cohorts.feature_key = cohort_feature_totals.feature_key

)

select * from final

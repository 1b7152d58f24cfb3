-- Per benchmark cohort (see int_account_cohorts) and feature, over the cohort's accounts
-- entitled to the feature: how many adopted it and the spread of their 30-day event volume.
with

adoption as (

    select * from {{ ref('account_feature_adoption') }}

),

cohorts as (

    select * from {{ ref('int_account_cohorts') }}

),

cohort_levels as (

    select distinct
        benchmark_cohort_key,
        benchmark_cohort_level

    from cohorts

),

final as (

    select
        ----------  ids
        adoption.benchmark_cohort_key as cohort_key,
        adoption.feature_key,

        ---------- attributes
        cohort_levels.benchmark_cohort_level as cohort_level,

        ---------- metrics
        count(*) as accounts,
        cast(sum(case when adoption.adoption_status = 'adopted' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as adopted_accounts,
        {{ safe_divide(
            "sum(case when adoption.adoption_status = 'adopted' then 1 else 0 end)",
            'count(*)',
        ) }} as peer_adoption_rate,
        {{ percentile_cont('adoption.events_30d', 0.25) }} as p25_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.5) }} as p50_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.75) }} as p75_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.9) }} as p90_events_30d,

        ---------- dates
        {{ as_of_date() }} as as_of_date

    from adoption
    inner join cohort_levels
        on adoption.benchmark_cohort_key = cohort_levels.benchmark_cohort_key
    where adoption.is_entitled
    group by
        adoption.benchmark_cohort_key,
        adoption.feature_key,
        cohort_levels.benchmark_cohort_level

)

select * from final

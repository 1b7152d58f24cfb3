-- Benchmark cohort of each account, from fine to coarse:
-- industry|employee_band|plan, then industry|*|plan, then *|*|plan, then *|*|*
-- (all accounts). An account takes the finest level whose key has no unknown
-- part and whose cohort holds at least var cohort_min_accounts peers. Peers are
-- the accounts that are not churned (an active subscription on the as-of date):
-- a churned account keeps a cohort for itself but never counts as anyone's
-- peer, so it neither sizes a cohort nor enters its benchmarks.
{%- set min_accounts = var('cohort_min_accounts') %}
with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

parts as (

    select
        account_id,
        cohort_key,
        coalesce(is_active_customer, false) as is_benchmark_peer,
        {{ cohort_part('industry') }} as industry_part,
        {{ employee_band('employees') }} as band_part,
        {{ cohort_part('plan') }} as plan_part

    from accounts

),

keyed as (

    select
        account_id,
        cohort_key,
        is_benchmark_peer,
        case when is_benchmark_peer then 1 else 0 end as peer_flag,
        case
            when industry_part <> 'unknown'
                and band_part <> 'unknown'
                and plan_part <> 'unknown'
                then {{ dbt.concat(
                    ['industry_part', "'|'", 'band_part', "'|'", 'plan_part']
                ) }}
        end as industry_band_plan_key,
        case
            when industry_part <> 'unknown' and plan_part <> 'unknown'
                then {{ dbt.concat(['industry_part', "'|*|'", 'plan_part']) }}
        end as industry_plan_key,
        case
            when plan_part <> 'unknown'
                then {{ dbt.concat(["'*|*|'", 'plan_part']) }}
        end as plan_key

    from parts

),

sized as (

    -- peers in each level's cohort (0 where the level's key is unknown)
    select
        account_id,
        cohort_key,
        is_benchmark_peer,
        industry_band_plan_key,
        industry_plan_key,
        plan_key,
        case
            when industry_band_plan_key is not null
                then sum(peer_flag) over (partition by industry_band_plan_key)
            else 0
        end as industry_band_plan_peers,
        case
            when industry_plan_key is not null
                then sum(peer_flag) over (partition by industry_plan_key)
            else 0
        end as industry_plan_peers,
        case
            when plan_key is not null
                then sum(peer_flag) over (partition by plan_key)
            else 0
        end as plan_peers,
        sum(peer_flag) over () as all_peers

    from keyed

),

final as (

    select
        account_id,
        cohort_key,
        is_benchmark_peer,
        case
            when industry_band_plan_peers >= {{ min_accounts }}
                then industry_band_plan_key
            when industry_plan_peers >= {{ min_accounts }}
                then industry_plan_key
            when plan_peers >= {{ min_accounts }} then plan_key
            else '*|*|*'
        end as benchmark_cohort_key,
        case
            when industry_band_plan_peers >= {{ min_accounts }}
                then 'industry_band_plan'
            when industry_plan_peers >= {{ min_accounts }} then 'industry_plan'
            when plan_peers >= {{ min_accounts }} then 'plan'
            else 'all'
        end as benchmark_cohort_level,
        cast(
            case
                when industry_band_plan_peers >= {{ min_accounts }}
                    then industry_band_plan_peers
                when industry_plan_peers >= {{ min_accounts }}
                    then industry_plan_peers
                when plan_peers >= {{ min_accounts }} then plan_peers
                else all_peers
            end as {{ dbt.type_bigint() }}
        ) as benchmark_cohort_accounts

    from sized

)

select * from final

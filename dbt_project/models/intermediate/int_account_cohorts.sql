-- Benchmark cohort of each account: industry x employee band x plan when that cohort has at
-- least var min_cohort_size accounts, else the plan ('*|*|<plan>') when it is big enough,
-- else all accounts ('*|*|*').
with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

sized as (

    select
        account_id,
        cohort_key,
        plan,
        count(*) over (partition by cohort_key) as cohort_accounts,
        count(*) over (partition by plan) as plan_accounts,
        count(*) over () as all_accounts

    from accounts

),

final as (

    select
        account_id,
        cohort_key,
        case
            when cohort_accounts >= {{ var('min_cohort_size') }} then cohort_key
            when plan_accounts >= {{ var('min_cohort_size') }}
                then {{ dbt.concat(["'*|*|'", "coalesce(plan, 'unknown')"]) }}
            else '*|*|*'
        end as benchmark_cohort_key,
        case
            when cohort_accounts >= {{ var('min_cohort_size') }} then 'industry_band_plan'
            when plan_accounts >= {{ var('min_cohort_size') }} then 'plan'
            else 'all'
        end as benchmark_cohort_level,
        case
            when cohort_accounts >= {{ var('min_cohort_size') }} then cohort_accounts
            when plan_accounts >= {{ var('min_cohort_size') }} then plan_accounts
            else all_accounts
        end as benchmark_cohort_accounts

    from sized

)

select * from final

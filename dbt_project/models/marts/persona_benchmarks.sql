-- Personas as peer groups: per persona (dim_accounts.persona_id, from the train
-- step) and feature, over the persona's peers (accounts that are not churned)
-- entitled to the feature, how many adopted it and the spread of their 30-day
-- event volume. Empty until personas exist.
with

adoption as (

    select * from {{ ref('account_feature_adoption') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

cohorts as (

    select * from {{ ref('int_account_cohorts') }}

),

final as (

    select
        ----------  ids
        accounts.persona_id,
        adoption.feature_key,

        ---------- attributes
        accounts.persona_name,

        ---------- metrics
        count(*) as accounts,
        cast(sum(
            case when adoption.adoption_status = 'adopted' then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as adopted_accounts,
        {{ safe_divide(
            "sum(case when adoption.adoption_status = 'adopted'"
            ~ " then 1 else 0 end)",
            'count(*)',
        ) }} as peer_adoption_rate,
        {{ percentile_cont('adoption.events_30d', 0.25) }} as p25_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.5) }} as p50_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.75) }} as p75_events_30d,
        {{ percentile_cont('adoption.events_30d', 0.9) }} as p90_events_30d,

        ---------- dates
        {{ as_of_date() }} as as_of_date

    from adoption
    inner join accounts
        on adoption.account_id = accounts.account_id
    inner join cohorts
        on adoption.account_id = cohorts.account_id
    where
        adoption.is_entitled
        and cohorts.is_benchmark_peer
        and accounts.persona_id is not null
    group by
        accounts.persona_id,
        adoption.feature_key,
        accounts.persona_name

)

select * from final

-- Interventions up to as_of_date and what followed: feature events in the 60
-- days before the start day ([start - 60, start)) and from it ([start, start +
-- 60)), and whether the feature reached `adopted` on some day in [start, start
-- + 60]. is_adopted_within_60d is null while that window is still open at
-- as_of_date and no adoption has been seen yet.
with

interventions as (

    select * from {{ ref('stg_cs__interventions') }}

),

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

adoption_daily as (

    select * from {{ ref('int_account_feature_adoption_daily') }}

),

known_interventions as (

    select
        interventions.*,
        cast(interventions.started_at as date) as started_on

    from interventions
    where {{ at_or_before_day('started_at', as_of_date()) }}

),

usage_around as (

    select
        known_interventions.intervention_id,
        cast(sum(
            case
                when feature_usage.usage_date < known_interventions.started_on
                    then feature_usage.events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_60d_before,
        cast(sum(
            case
                when feature_usage.usage_date >= known_interventions.started_on
                    then feature_usage.events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_60d_after

    from known_interventions
    inner join feature_usage
        on
            known_interventions.account_id = feature_usage.account_id
            and known_interventions.feature_key = feature_usage.feature_key
            and feature_usage.usage_date
            >= {{ add_days('known_interventions.started_on', -60) }}
            and feature_usage.usage_date
            < {{ add_days('known_interventions.started_on', 60) }}
    group by known_interventions.intervention_id

),

adoption_after as (

    select
        known_interventions.intervention_id,
        min(adoption_daily.evaluated_on) as adopted_date

    from known_interventions
    inner join adoption_daily
        on
            known_interventions.account_id = adoption_daily.account_id
            and known_interventions.feature_key = adoption_daily.feature_key
            and known_interventions.started_on <= adoption_daily.evaluated_on
            and adoption_daily.evaluated_on
            <= {{ add_days('known_interventions.started_on', 60) }}
            and adoption_daily.is_adopted
    group by known_interventions.intervention_id

),

final as (

    select
        ----------  ids
        known_interventions.intervention_id,
        known_interventions.account_id,
        known_interventions.feature_key,

        ---------- attributes
        known_interventions.intervention_type,
        known_interventions.owner,
        {{ add_days('known_interventions.started_on', 60) }}
        <= {{ as_of_date() }} as is_outcome_known,
        case
            when known_interventions.feature_key is null then null
            when adoption_after.adopted_date is not null then true
            when
                {{ add_days('known_interventions.started_on', 60) }}
                <= {{ as_of_date() }}
                then false
        end as is_adopted_within_60d,

        ---------- metrics
        coalesce(usage_around.events_60d_before, 0) as events_60d_before,
        coalesce(usage_around.events_60d_after, 0) as events_60d_after,

        ---------- dates
        known_interventions.started_at,
        adoption_after.adopted_date

    from known_interventions
    left join usage_around
        on known_interventions.intervention_id = usage_around.intervention_id
    left join adoption_after
        on known_interventions.intervention_id = adoption_after.intervention_id

)

select * from final

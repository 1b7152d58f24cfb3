-- ML input: each account as it stood every var snapshot_interval_days days back
-- from as_of_date (from its first CRM snapshot on). Point in time: every value
-- reads only rows dated and delivered at or before snapshot_date (CRM versions,
-- events, ticket versions, interventions).
{%- set interval_days = var('snapshot_interval_days') %}
with

history as (

    select * from {{ ref('int_account_history_versioned') }}

),

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

plan_features as (

    select * from {{ ref('stg_catalog__plan_features') }}

),

ticket_versions as (

    select * from {{ ref('stg_zendesk__ticket_versions') }}

),

organizations as (

    select * from {{ ref('stg_zendesk__organizations') }}

),

interventions as (

    select * from {{ ref('stg_cs__interventions') }}

),

account_bounds as (

    select
        account_id,
        min(valid_from) as first_seen_on

    from history
    group by account_id

),

period_offsets as (

    select
        account_id,
        {{ integer_series(
            0,
            'cast(floor('
            ~ days_between('first_seen_on', as_of_date())
            ~ ' / ' ~ interval_days ~ '.0) as ' ~ dbt.type_int() ~ ')'
        ) }} as period_index

    from account_bounds

),

snapshot_points as (

    select
        account_id,
        {{ add_days(as_of_date(), '-' ~ interval_days ~ ' * period_index') }}
            as evaluated_on

    from period_offsets

),

states as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        history.plan,
        history.seats,
        history.arr,
        history.contract_start,
        history.renewal_date

    from snapshot_points
    inner join history
        on
            snapshot_points.account_id = history.account_id
            and history.valid_from <= snapshot_points.evaluated_on
            and (
                history.valid_to is null
                or snapshot_points.evaluated_on < history.valid_to
            )

),

usage_windows as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        count(
            distinct
            case
                when {{ in_trailing_window(
                    'activity.activity_date', 'snapshot_points.evaluated_on', 30
                ) }}
                    then activity.user_id
            end
        ) as active_users_30d,
        cast(sum(
            case
                when {{ in_trailing_window(
                    'activity.activity_date', 'snapshot_points.evaluated_on', 30
                ) }}
                    then activity.events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_30d,
        cast(sum(
            case
                when {{ in_trailing_window(
                    'activity.activity_date',
                    add_days('snapshot_points.evaluated_on', -30),
                    30
                ) }}
                    then activity.events
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as events_prev_30d

    from snapshot_points
    inner join activity
        on
            snapshot_points.account_id = activity.account_id
            and {{ in_trailing_window(
                'activity.activity_date', 'snapshot_points.evaluated_on', 60
            ) }}
            and activity.delivered_on <= snapshot_points.evaluated_on
    group by
        snapshot_points.account_id,
        snapshot_points.evaluated_on

),

feature_windows as (

    {{ feature_window_metrics(
        'snapshot_points',
        'feature_usage',
        'activity',
        'features',
        point_in_time=true
    ) }}

),

entitled_features as (

    select
        states.account_id,
        states.snapshot_date,
        features.feature_key,
        {{ depth_weight('features.category', 'features.value_weight') }}
            as depth_weight,
        coalesce(feature_windows.is_adopted, false) as is_adopted

    from states
    inner join plan_features
        on states.plan = plan_features.plan
    inner join features
        on plan_features.feature_key = features.feature_key
    left join feature_windows
        on
            states.account_id = feature_windows.account_id
            and states.snapshot_date = feature_windows.evaluated_on
            and features.feature_key = feature_windows.feature_key

),

depth as (

    select
        account_id,
        snapshot_date,
        count(*) as features_entitled,
        cast(sum(
            case when is_adopted then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as features_adopted,
        sum(depth_weight) as entitled_weight,
        sum(case when is_adopted then depth_weight else 0 end) as adopted_weight

    from entitled_features
    group by account_id, snapshot_date

),

known_ticket_versions as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        ticket_versions.ticket_id,
        ticket_versions.ticket_type,
        ticket_versions.tags,
        ticket_versions.created_at
        >= {{ add_days('snapshot_points.evaluated_on', -29) }}
            as in_last_30_days,
        row_number() over (
            partition by
                snapshot_points.account_id,
                snapshot_points.evaluated_on,
                ticket_versions.ticket_id
            order by ticket_versions.updated_at desc
        ) as version_rank

    from snapshot_points
    inner join organizations
        on snapshot_points.account_id = organizations.account_id
    inner join ticket_versions
        on
            organizations.organization_id = ticket_versions.organization_id
            and {{ at_or_before_day(
                'ticket_versions.updated_at', 'snapshot_points.evaluated_on'
            ) }}
            and ticket_versions.delivered_on <= snapshot_points.evaluated_on
            and ticket_versions.created_at
            >= {{ add_days('snapshot_points.evaluated_on', -89) }}

),

ticket_windows as (

    select
        account_id,
        snapshot_date,
        cast(sum(
            case when in_last_30_days then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as tickets_30d,
        count(*) as tickets_90d,
        cast(sum(
            case
                when
                    in_last_30_days
                    and {{ is_bug_ticket('ticket_type', 'tags') }}
                    then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as bug_tickets_30d,
        cast(sum(
            case
                when
                    in_last_30_days
                    and {{ is_how_to_ticket('ticket_type', 'tags') }}
                    then 1
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as how_to_tickets_30d

    from known_ticket_versions
    where version_rank = 1
    group by account_id, snapshot_date

),

intervention_windows as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        count(*) as interventions_90d

    from snapshot_points
    inner join interventions
        on
            snapshot_points.account_id = interventions.account_id
            and {{ in_trailing_window(
                'cast(interventions.started_at as date)',
                'snapshot_points.evaluated_on',
                90
            ) }}
    group by
        snapshot_points.account_id,
        snapshot_points.evaluated_on

),

final as (

    select
        ----------  ids
        states.account_id,
        states.snapshot_date,

        ---------- attributes
        states.plan,

        ---------- metrics
        states.seats,
        states.arr,
        {{ days_between('states.contract_start', 'states.snapshot_date') }}
            as tenure_days,
        coalesce(usage_windows.active_users_30d, 0) as active_users_30d,
        {{ round_float(safe_divide(
            'coalesce(usage_windows.active_users_30d, 0)', 'states.seats'
        ), 4) }} as license_utilization,
        coalesce(usage_windows.events_30d, 0) as events_30d,
        coalesce(usage_windows.events_prev_30d, 0) as events_prev_30d,
        {{ round_float(usage_trend(
            'coalesce(usage_windows.events_30d, 0)',
            'coalesce(usage_windows.events_prev_30d, 0)'
        ), 4) }} as usage_trend_30d,
        coalesce(depth.features_adopted, 0) as features_adopted,
        coalesce(depth.features_entitled, 0) as features_entitled,
        {{ round_float(safe_divide(
            '100 * depth.features_adopted', 'depth.features_entitled'
        ), 2) }} as adoption_depth_pct,
        {{ round_float(safe_divide(
            '100 * depth.adopted_weight', 'depth.entitled_weight'
        ), 2) }} as weighted_depth_pct,
        coalesce(ticket_windows.tickets_30d, 0) as tickets_30d,
        coalesce(ticket_windows.tickets_90d, 0) as tickets_90d,
        coalesce(ticket_windows.bug_tickets_30d, 0) as bug_tickets_30d,
        coalesce(ticket_windows.how_to_tickets_30d, 0) as how_to_tickets_30d,
        coalesce(intervention_windows.interventions_90d, 0)
            as interventions_90d,
        {{ days_between('states.snapshot_date', 'states.renewal_date') }}
            as renewal_in_days,

        ---------- dates
        states.contract_start as contract_start_date,
        states.renewal_date

    from states
    left join usage_windows
        on
            states.account_id = usage_windows.account_id
            and states.snapshot_date = usage_windows.snapshot_date
    left join depth
        on
            states.account_id = depth.account_id
            and states.snapshot_date = depth.snapshot_date
    left join ticket_windows
        on
            states.account_id = ticket_windows.account_id
            and states.snapshot_date = ticket_windows.snapshot_date
    left join intervention_windows
        on
            states.account_id = intervention_windows.account_id
            and states.snapshot_date = intervention_windows.snapshot_date

)

select * from final

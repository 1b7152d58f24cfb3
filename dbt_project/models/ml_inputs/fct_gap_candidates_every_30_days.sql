-- ML input: gap candidates every var snapshot_interval_days days back from
-- as_of_date (the same days as fct_account_snapshots_every_30_days). One row
-- per account x feature that the account is entitled to on that day (active
-- subscription, the plan includes it) and has not adopted on it, with every
-- per-gap signal, each defined here once. Point in time: a row reads only what
-- was dated and delivered at or before its snapshot_date. The as-of rows are
-- the gaps scored today; the earlier rows, with what followed them
-- (is_adopted_within_60d), train the adoption model.
{%- set lookback = var('signal_lookback_days') %}
with

snapshots as (

    select * from {{ ref('fct_account_snapshots_every_30_days') }}

),

history as (

    select * from {{ ref('int_account_history_versioned') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

plan_features as (

    select * from {{ ref('stg_catalog__plan_features') }}

),

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

activity as (

    select * from {{ ref('int_user_activity_daily') }}

),

feature_events as (

    select * from {{ ref('int_feature_events_mapped') }}

),

tracks as (

    select * from {{ ref('stg_segment__tracks') }}

),

adoption_daily as (

    select * from {{ ref('int_account_feature_adoption_daily') }}

),

first_adoptions as (

    select * from {{ ref('int_account_feature_first_adoptions') }}

),

tickets as (

    select * from {{ ref('fct_support_tickets') }}

),

notes as (

    select * from {{ ref('fct_cs_notes') }}

),

interventions as (

    select * from {{ ref('fct_interventions') }}

),

snapshot_points as (

    select
        account_id,
        snapshot_date as evaluated_on

    from snapshots

),

-- The CRM version in force on each snapshot day.
states as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        history.plan,
        history.industry,
        history.employees,
        history.use_case,
        history.arr,
        history.contract_start,
        history.renewal_date,
        {{ cohort_key(
            'history.industry', 'history.employees', 'history.plan'
        ) }} as cohort_key

    from snapshot_points
    inner join history
        on
            snapshot_points.account_id = history.account_id
            and history.valid_from <= snapshot_points.evaluated_on
            and (
                history.valid_to is null
                or snapshot_points.evaluated_on < history.valid_to
            )
    where history.subscription_status = 'Active'

),

-- Per version and feature: does the version's plan include it (for the
-- entitlement date).
version_features as (

    select
        history.account_id,
        features.feature_key,
        history.valid_from,
        plan_features.feature_key is not null as includes_feature

    from history
    cross join features
    left join plan_features
        on
            history.plan = plan_features.plan
            and features.feature_key = plan_features.feature_key

),

entitled as (

    select
        states.*,
        features.feature_key,
        features.category,
        features.value_weight,
        features.expected_days_to_adopt,
        features.active_min_events_30d

    from states
    inner join plan_features
        on states.plan = plan_features.plan
    inner join features
        on plan_features.feature_key = features.feature_key

),

-- The feature became available the day after the last version without it (an
-- upgrade), or with the contract when every version up to the snapshot included
-- it.
last_excluded as (

    select
        entitled.account_id,
        entitled.snapshot_date,
        entitled.feature_key,
        max(version_features.valid_from) as last_excluded_from

    from entitled
    inner join version_features
        on
            entitled.account_id = version_features.account_id
            and entitled.feature_key = version_features.feature_key
            and version_features.valid_from <= entitled.snapshot_date
            and not version_features.includes_feature
    group by entitled.account_id, entitled.snapshot_date, entitled.feature_key

),

upgrades as (

    select
        last_excluded.account_id,
        last_excluded.snapshot_date,
        last_excluded.feature_key,
        min(version_features.valid_from) as upgraded_on

    from last_excluded
    inner join version_features
        on
            last_excluded.account_id = version_features.account_id
            and last_excluded.feature_key = version_features.feature_key
            and version_features.valid_from > last_excluded.last_excluded_from
            and version_features.valid_from <= last_excluded.snapshot_date
            and version_features.includes_feature
    group by
        last_excluded.account_id,
        last_excluded.snapshot_date,
        last_excluded.feature_key

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

usage_before as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        feature_usage.feature_key,
        min(feature_usage.usage_date) as first_used_on,
        max(feature_usage.usage_date) as last_used_on,
        cast(sum(feature_usage.events) as {{ dbt.type_bigint() }})
            as events_to_date,
        count(distinct feature_usage.user_id) as users_to_date

    from snapshot_points
    inner join feature_usage
        on
            snapshot_points.account_id = feature_usage.account_id
            and feature_usage.usage_date <= snapshot_points.evaluated_on
            and feature_usage.delivered_on <= snapshot_points.evaluated_on
    group by
        snapshot_points.account_id,
        snapshot_points.evaluated_on,
        feature_usage.feature_key

),

-- Failed attempts: the feature's events whose properties carry an error, by
-- the snapshot day (dated and delivered by then). A user who keeps failing at a
-- feature is struggling with it; one who never tried never fails.
failed_events as (

    select
        feature_events.account_id,
        feature_events.feature_key,
        feature_events.event_date,
        feature_events.delivered_on

    from feature_events
    inner join tracks
        on feature_events.message_id = tracks.message_id
    where
        nullif(
            trim({{ json_extract_string('tracks.properties_json', 'error') }}),
            ''
        ) is not null

),

failures_before as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        failed_events.feature_key,
        count(*) as failed_events_to_date

    from snapshot_points
    inner join failed_events
        on
            snapshot_points.account_id = failed_events.account_id
            and failed_events.event_date <= snapshot_points.evaluated_on
            and failed_events.delivered_on <= snapshot_points.evaluated_on
    group by
        snapshot_points.account_id,
        snapshot_points.evaluated_on,
        failed_events.feature_key

),

-- Each 30-day period counted back from the snapshot day: the feature's events
-- and the users who used it then. Its busiest period's events per user is what
-- an attempt looked like at its height: a trial worked hard and then dropped
-- has a low pace averaged over its whole span but not here.
usage_periods as (

    select
        snapshot_points.account_id,
        snapshot_points.evaluated_on as snapshot_date,
        feature_usage.feature_key,
        feature_usage.user_id,
        feature_usage.events,
        floor(
            {{ days_between(
                'feature_usage.usage_date', 'snapshot_points.evaluated_on'
            ) }}
            / 30.0
        ) as periods_back

    from snapshot_points
    inner join feature_usage
        on
            snapshot_points.account_id = feature_usage.account_id
            and feature_usage.usage_date <= snapshot_points.evaluated_on
            and feature_usage.delivered_on <= snapshot_points.evaluated_on

),

period_use as (

    select
        account_id,
        snapshot_date,
        feature_key,
        periods_back,
        cast(sum(events) as {{ dbt.type_float() }})
        / count(distinct user_id) as events_per_user

    from usage_periods
    group by account_id, snapshot_date, feature_key, periods_back

),

peak_periods as (

    select
        account_id,
        snapshot_date,
        feature_key,
        max(events_per_user) as peak_events_per_user

    from period_use
    group by account_id, snapshot_date, feature_key

),

candidate_rows as (

    select
        entitled.*,
        coalesce(upgrades.upgraded_on, entitled.contract_start)
            as entitled_date,
        coalesce(feature_windows.events_30d, 0) as events_30d,
        coalesce(feature_windows.active_users_30d, 0) as active_users_30d,
        coalesce(usage_before.events_to_date, 0) as events_to_date,
        coalesce(usage_before.users_to_date, 0) as users_to_date,
        peak_periods.peak_events_per_user,
        usage_before.first_used_on,
        usage_before.last_used_on,
        case
            when coalesce(feature_windows.is_adopted, false) then 'adopted'
            when coalesce(feature_windows.events_30d, 0) > 0 then 'trying'
            when usage_before.first_used_on is not null then 'abandoned'
            else 'never_used'
        end as adoption_status

    from entitled
    left join upgrades
        on
            entitled.account_id = upgrades.account_id
            and entitled.snapshot_date = upgrades.snapshot_date
            and entitled.feature_key = upgrades.feature_key
    left join feature_windows
        on
            entitled.account_id = feature_windows.account_id
            and entitled.snapshot_date = feature_windows.evaluated_on
            and entitled.feature_key = feature_windows.feature_key
    left join usage_before
        on
            entitled.account_id = usage_before.account_id
            and entitled.snapshot_date = usage_before.snapshot_date
            and entitled.feature_key = usage_before.feature_key
    left join peak_periods
        on
            entitled.account_id = peak_periods.account_id
            and entitled.snapshot_date = peak_periods.snapshot_date
            and entitled.feature_key = peak_periods.feature_key

),

candidates as (

    select
        *,
        {{ days_between('entitled_date', 'snapshot_date') }}
            as entitled_for_days,
        {{ days_between('last_used_on', 'snapshot_date') }} as unused_for_days,
        {{ days_between('first_used_on', 'last_used_on') }} + 1
            as use_span_days,
        {{ days_between('snapshot_date', 'renewal_date') }} as renewal_in_days,
        -- adopted, or used more than a stray click or two to date: the account
        -- has found some use for the feature
        (
            adoption_status = 'adopted'
            or events_to_date > {{ var('stray_use_max_events') }}
        ) as has_used

    from candidate_rows

),

-- Peers: the other accounts entitled to the feature on the same day, by use
-- case, cohort and plan. Every final row is a feature the account has not
-- adopted, so its peers are the group less itself and their adopted count is
-- the group's (peer_accounts, peer_rate). Their used count is the group's less
-- the account itself when it used the feature (final: peer use rates).
use_case_groups as (

    select
        snapshot_date,
        use_case,
        feature_key,
        count(*) as entitled_accounts,
        sum(case when adoption_status = 'adopted' then 1 else 0 end)
            as adopted_accounts,
        sum(case when has_used then 1 else 0 end) as used_accounts

    from candidates
    where use_case is not null
    group by snapshot_date, use_case, feature_key

),

use_case_totals as (

    select
        *,
        entitled_accounts - 1 as peer_accounts,
        {{ safe_divide('adopted_accounts', 'entitled_accounts - 1') }}
            as peer_rate

    from use_case_groups

),

cohort_groups as (

    select
        snapshot_date,
        cohort_key,
        feature_key,
        count(*) as entitled_accounts,
        sum(case when adoption_status = 'adopted' then 1 else 0 end)
            as adopted_accounts

    from candidates
    group by snapshot_date, cohort_key, feature_key

),

cohort_totals as (

    select
        *,
        entitled_accounts - 1 as peer_accounts,
        {{ safe_divide('adopted_accounts', 'entitled_accounts - 1') }}
            as peer_rate

    from cohort_groups

),

plan_groups as (

    select
        snapshot_date,
        plan,
        feature_key,
        count(*) as entitled_accounts,
        sum(case when adoption_status = 'adopted' then 1 else 0 end)
            as adopted_accounts,
        sum(case when has_used then 1 else 0 end) as used_accounts

    from candidates
    group by snapshot_date, plan, feature_key

),

plan_totals as (

    select
        *,
        entitled_accounts - 1 as peer_accounts,
        {{ safe_divide('adopted_accounts', 'entitled_accounts - 1') }}
            as peer_rate

    from plan_groups

),

-- How far the feature reaches where it is needed: its adoption rate in the use
-- case adopting it most, among groups of at least var cohort_min_accounts
-- entitled accounts.
feature_reach as (

    select
        snapshot_date,
        feature_key,
        max(
            {{ safe_divide('adopted_accounts', 'entitled_accounts') }}
        ) as best_use_case_adoption_rate

    from use_case_groups
    where entitled_accounts >= {{ var('cohort_min_accounts') }}
    group by snapshot_date, feature_key

),

-- The account's own breadth: the share of its other entitled features it has
-- adopted.
adopted_features_rate as (

    select
        account_id,
        snapshot_date,
        {{ safe_divide(
            "sum(case when adoption_status = 'adopted' then 1 else 0 end)",
            'count(*) - 1'
        ) }} as adopted_share

    from candidates
    group by account_id, snapshot_date

),

ticket_counts as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        candidates.feature_key,
        count(*) as tickets_in_lookback

    from candidates
    inner join tickets
        on
            candidates.account_id = tickets.account_id
            and candidates.feature_key = tickets.feature_key
            and {{ in_trailing_window(
                'cast(tickets.created_at as date)',
                'candidates.snapshot_date',
                lookback
            ) }}
    group by
        candidates.account_id, candidates.snapshot_date, candidates.feature_key

),

note_counts as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        candidates.feature_key,
        count(*) as notes_in_lookback

    from candidates
    inner join notes
        on
            candidates.account_id = notes.account_id
            and candidates.feature_key = notes.feature_key
            and {{ in_trailing_window(
                'cast(notes.created_at as date)',
                'candidates.snapshot_date',
                lookback
            ) }}
    group by
        candidates.account_id, candidates.snapshot_date, candidates.feature_key

),

interventions_before as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        candidates.feature_key,
        count(*) as interventions_to_date

    from candidates
    inner join interventions
        on
            candidates.account_id = interventions.account_id
            and candidates.feature_key = interventions.feature_key
            and cast(interventions.started_at as date)
            <= candidates.snapshot_date
    group by
        candidates.account_id, candidates.snapshot_date, candidates.feature_key

),

-- What followed (training labels, known only 60 days on): the first
-- intervention in the next 30 days and whether the feature was adopted in the
-- next 60.
next_interventions as (

    select
        account_id,
        snapshot_date,
        feature_key,
        intervention_type as next_intervention_type

    from (
        select
            candidates.account_id,
            candidates.snapshot_date,
            candidates.feature_key,
            interventions.intervention_type,
            row_number() over (
                partition by
                    candidates.account_id,
                    candidates.snapshot_date,
                    candidates.feature_key
                order by interventions.started_at, interventions.intervention_id
            ) as intervention_rank

        from candidates
        inner join interventions
            on
                candidates.account_id = interventions.account_id
                and candidates.feature_key = interventions.feature_key
                and cast(interventions.started_at as date)
                > candidates.snapshot_date
                and cast(interventions.started_at as date)
                <= {{ add_days('candidates.snapshot_date', 30) }}
    ) as ranked
    where intervention_rank = 1

),

adopted_after as (

    select
        candidates.account_id,
        candidates.snapshot_date,
        candidates.feature_key,
        min(adoption_daily.evaluated_on) as adopted_date

    from candidates
    inner join adoption_daily
        on
            candidates.account_id = adoption_daily.account_id
            and candidates.feature_key = adoption_daily.feature_key
            and adoption_daily.is_adopted
            and adoption_daily.evaluated_on > candidates.snapshot_date
            and adoption_daily.evaluated_on
            <= {{ add_days('candidates.snapshot_date', 60) }}
    group by
        candidates.account_id, candidates.snapshot_date, candidates.feature_key

),

final as (

    select
        ----------  ids
        candidates.account_id,
        candidates.feature_key,
        candidates.snapshot_date,

        ---------- attributes
        candidates.plan,
        candidates.industry,
        {{ employee_band('candidates.employees') }} as employee_band,
        candidates.use_case,
        candidates.cohort_key,
        candidates.category,
        candidates.value_weight,
        candidates.adoption_status,
        candidates.snapshot_date = {{ as_of_date() }} as is_as_of_day,

        ---------- timing
        -- from the day the feature became available to the account
        candidates.entitled_date,
        candidates.expected_days_to_adopt,
        candidates.entitled_for_days,
        candidates.entitled_for_days - candidates.expected_days_to_adopt
            as overdue_days,

        ---------- peers
        -- the account itself excluded; entitled, active accounts only
        use_case_totals.peer_accounts as use_case_peers,
        use_case_totals.peer_rate as use_case_peer_rate,
        -- the share of those peers that found some use for it (adopted, or more
        -- than var stray_use_max_events events to date): where a feature is
        -- needed, peers with gaps of their own have still tried it
        {{ safe_divide(
            'use_case_totals.used_accounts'
            ~ ' - case when candidates.has_used then 1 else 0 end',
            'use_case_totals.peer_accounts'
        ) }} as use_case_peer_use_rate,
        cohort_totals.peer_accounts as cohort_peers,
        cohort_totals.peer_rate as cohort_peer_rate,
        plan_totals.peer_accounts as plan_peers,
        plan_totals.peer_rate as plan_peer_rate,
        {{ safe_divide(
            'plan_totals.used_accounts'
            ~ ' - case when candidates.has_used then 1 else 0 end',
            'plan_totals.peer_accounts'
        ) }} as plan_peer_use_rate,
        feature_reach.best_use_case_adoption_rate,
        adopted_features_rate.adopted_share as adopted_features_rate,

        ---------- attempts and abandonment
        candidates.events_30d,
        candidates.active_users_30d,
        candidates.events_to_date,
        candidates.users_to_date,
        candidates.unused_for_days,
        -- how long and how hard it was used: days from the first to the last
        -- use, and the events per user who used it per 30 days of that span
        -- (at least 30) as a share of the feature's active threshold. About
        -- 1 is an adopted feature's pace; a small share is a feeble attempt.
        candidates.use_span_days,
        case
            when candidates.users_to_date > 0
                then
                    cast(candidates.events_to_date as {{ dbt.type_float() }})
                    * 30
                    / (
                        candidates.users_to_date
                        * greatest(candidates.use_span_days, 30)
                        * candidates.active_min_events_30d
                    )
        end as use_pace,
        -- the busiest 30-day period's events per user who used it then, as a
        -- share of the threshold: how hard the feature was worked at its height
        cast(candidates.peak_events_per_user as {{ dbt.type_float() }})
        / candidates.active_min_events_30d as peak_pace,
        -- events of the feature that failed (properties.error), to date
        coalesce(failures_before.failed_events_to_date, 0)
            as failed_events_to_date,
        -- the first day the adoption rule held, by the day (event time)
        case
            when first_adoptions.first_adopted_date <= candidates.snapshot_date
                then first_adoptions.first_adopted_date
        end as first_adopted_date,
        -- the account's users active in the 30 days up to the day: a feature
        -- that lapsed while the whole account went quiet is the account's
        -- problem, not the feature's
        coalesce(snapshots.active_users_30d, 0) as account_active_users_30d,

        ---------- support, notes and interventions naming the feature
        -- over the last var signal_lookback_days days
        {{ add_days('candidates.snapshot_date', -lookback) }}
            as signals_since_date,
        coalesce(ticket_counts.tickets_in_lookback, 0) as tickets_in_lookback,
        coalesce(note_counts.notes_in_lookback, 0) as notes_in_lookback,
        coalesce(interventions_before.interventions_to_date, 0)
            as interventions_to_date,

        ---------- the account's renewal and value on the day
        candidates.arr,
        candidates.renewal_date,
        candidates.renewal_in_days,

        ---------- what followed
        -- training labels; null while the 60 days are still open
        next_interventions.next_intervention_type,
        case
            when {{ add_days('candidates.snapshot_date', 60) }}
                <= {{ as_of_date() }}
                then adopted_after.adopted_date is not null
        end as is_adopted_within_60d

    from candidates
    left join use_case_totals
        on
            candidates.snapshot_date = use_case_totals.snapshot_date
            and candidates.use_case = use_case_totals.use_case
            and candidates.feature_key = use_case_totals.feature_key
    left join cohort_totals
        on
            candidates.snapshot_date = cohort_totals.snapshot_date
            and candidates.cohort_key = cohort_totals.cohort_key
            and candidates.feature_key = cohort_totals.feature_key
    left join plan_totals
        on
            candidates.snapshot_date = plan_totals.snapshot_date
            and candidates.plan = plan_totals.plan
            and candidates.feature_key = plan_totals.feature_key
    left join feature_reach
        on
            candidates.snapshot_date = feature_reach.snapshot_date
            and candidates.feature_key = feature_reach.feature_key
    left join adopted_features_rate
        on
            candidates.account_id = adopted_features_rate.account_id
            and candidates.snapshot_date = adopted_features_rate.snapshot_date
    left join ticket_counts
        on
            candidates.account_id = ticket_counts.account_id
            and candidates.snapshot_date = ticket_counts.snapshot_date
            and candidates.feature_key = ticket_counts.feature_key
    left join note_counts
        on
            candidates.account_id = note_counts.account_id
            and candidates.snapshot_date = note_counts.snapshot_date
            and candidates.feature_key = note_counts.feature_key
    left join interventions_before
        on
            candidates.account_id = interventions_before.account_id
            and candidates.snapshot_date = interventions_before.snapshot_date
            and candidates.feature_key = interventions_before.feature_key
    left join next_interventions
        on
            candidates.account_id = next_interventions.account_id
            and candidates.snapshot_date = next_interventions.snapshot_date
            and candidates.feature_key = next_interventions.feature_key
    left join adopted_after
        on
            candidates.account_id = adopted_after.account_id
            and candidates.snapshot_date = adopted_after.snapshot_date
            and candidates.feature_key = adopted_after.feature_key
    left join first_adoptions
        on
            candidates.account_id = first_adoptions.account_id
            and candidates.feature_key = first_adoptions.feature_key
    left join snapshots
        on
            candidates.account_id = snapshots.account_id
            and candidates.snapshot_date = snapshots.snapshot_date
    left join failures_before
        on
            candidates.account_id = failures_before.account_id
            and candidates.snapshot_date = failures_before.snapshot_date
            and candidates.feature_key = failures_before.feature_key
    where candidates.adoption_status != 'adopted'

)

select * from final

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ event_window_hook('event_date', file_lineage=true) }}",
) }}

-- Track events known by as_of_date, each resolved to an account:
-- context.groupId when present, otherwise the user's latest group call at or
-- before the event. Events that resolve to no account are left out (they cannot
-- be attributed to a customer). Incremental: event days from the window start
-- on are deleted (pre-hook) and inserted again (macros/incremental_events.sql);
-- source_file finds the rows of a re-delivered file.
{%- set window_start = event_window_start(file_lineage=true) %}
with

tracks as (

    select * from {{ ref('stg_segment__tracks') }}

),

group_calls as (

    select * from {{ ref('stg_segment__groups') }}

),

tracks_in_window as (

    select * from tracks
    {%- if is_incremental() %}
        where event_date >= cast('{{ window_start }}' as date)
    {%- endif %}

),

known_tracks as (

    select * from tracks_in_window
    where
        event_date <= {{ as_of_date() }}
        and delivered_on <= {{ as_of_date() }}

),

group_candidates as (

    select
        known_tracks.message_id,
        group_calls.account_id,
        row_number() over (
            partition by known_tracks.message_id
            order by group_calls.grouped_at desc, group_calls.message_id desc
        ) as group_rank

    from known_tracks
    inner join group_calls
        on
            known_tracks.user_id = group_calls.user_id
            and group_calls.grouped_at <= known_tracks.event_at
            and group_calls.delivered_on <= {{ as_of_date() }}
    where known_tracks.context_group_id is null

),

final as (

    select
        known_tracks.message_id,
        coalesce(
            known_tracks.context_group_id, group_candidates.account_id
        ) as account_id,
        known_tracks.user_id,
        known_tracks.event_name,
        known_tracks.event_at,
        known_tracks.event_date,
        known_tracks.delivered_on,
        known_tracks.source_file,
        case
            when known_tracks.context_group_id is not null
                then 'context_group_id'
            else 'group_call'
        end as attribution_method

    from known_tracks
    left join group_candidates
        on
            known_tracks.message_id = group_candidates.message_id
            and group_candidates.group_rank = 1
    where
        coalesce(known_tracks.context_group_id, group_candidates.account_id)
        is not null

)

select * from final

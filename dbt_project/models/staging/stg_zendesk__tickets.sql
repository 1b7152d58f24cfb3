-- A ticket's current state: its version (stg_zendesk__ticket_versions) with the
-- latest updated_at. Versions are already one row per ticket and updated_at, so
-- the pick is unique.
with

versions as (

    select * from {{ ref('stg_zendesk__ticket_versions') }}

),

ranked as (

    select
        ticket_id,
        organization_id,
        requester_id,
        subject,
        description,
        status,
        priority,
        ticket_type,
        tags,
        created_at,
        updated_at,

        row_number() over (
            partition by ticket_id
            order by updated_at desc
        ) as version_rank

    from versions

),

current_state as (

    select
        ticket_id,
        organization_id,
        requester_id,
        subject,
        description,
        status,
        priority,
        ticket_type,
        tags,
        created_at,
        updated_at

    from ranked
    where version_rank = 1

)

select * from current_state

-- A ticket's current state is the row with the latest updated_at (ties: latest delivery).
with

source as (

    select * from {{ source('raw', 'support_tickets') }}

),

renamed as (

    select
        ----------  ids
        cast(id as {{ dbt.type_string() }}) as ticket_id,
        cast(organization_id as {{ dbt.type_string() }}) as organization_id,
        cast(requester_id as {{ dbt.type_string() }}) as requester_id,

        ---------- text
        subject,
        description,
        status,
        priority,
        type as ticket_type,
        tags,

        ---------- timestamps
        created_at,
        updated_at,

        row_number() over (
            partition by id
            order by updated_at desc, _delivery_date desc, _loaded_at desc, _line_number desc
        ) as version_rank

    from source

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

    from renamed
    where version_rank = 1

)

select * from current_state

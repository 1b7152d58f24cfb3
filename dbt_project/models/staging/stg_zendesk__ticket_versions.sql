-- Every distinct state of every ticket (the export repeats a ticket whenever it
-- changes); the point-in-time snapshots read the version that was current on a
-- given day.
with

source as (

    select * from {{ source('raw', 'support_tickets') }}

),

renamed as (

    select
        ----------  ids
        {{ source_id('id') }} as ticket_id,
        {{ source_id('organization_id') }} as organization_id,
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
        _delivery_date as delivered_on,

        row_number() over (
            partition by {{ source_id('id') }}, updated_at
            order by
                _delivery_date desc,
                _loaded_at desc,
                _source_file desc,
                _line_number desc
        ) as version_rank

    from source

),

deduplicated as (

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
        delivered_on

    from renamed
    where version_rank = 1

)

select * from deduplicated

-- One row per identify message (at-least-once delivery de-duplicated like
-- tracks).
with

source as (

    select * from {{ source('raw', 'product_events') }}
    where event_type = 'identify'

),

renamed as (

    select
        ----------  ids
        message_id,
        {{ source_id('user_id') }} as user_id,

        ---------- traits
        -- the e-mail address is left in raw: nothing downstream needs it, so no
        -- model, and no mart, ever holds one
        {{ json_extract_string('traits_json', 'name') }} as user_name,
        {{ json_extract_string('traits_json', 'role') }} as user_role,

        ---------- timestamps
        event_timestamp as identified_at,
        _delivery_date as delivered_on,

        row_number() over (
            partition by message_id
            order by _delivery_date, _source_file, _line_number
        ) as delivery_rank

    from source

),

deduplicated as (

    select
        message_id,
        {{ source_id('user_id') }} as user_id,
        user_name,
        user_role,
        identified_at,
        delivered_on

    from renamed
    where delivery_rank = 1

)

select * from deduplicated

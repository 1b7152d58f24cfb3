-- Delivery is at-least-once: keep one row per message_id, the earliest delivery
-- (then the earliest file and line), so reruns and re-deliveries never double count.
with

source as (

    select * from {{ source('raw', 'product_events') }}
    where event_type = 'track'

),

renamed as (

    select
        ----------  ids
        message_id,
        user_id,
        nullif(trim(group_id), '') as context_group_id,

        ---------- text
        event_name,
        properties_json,

        ---------- timestamps
        event_timestamp as event_at,
        cast(event_timestamp as date) as event_date,
        _delivery_date as delivered_on,

        ---------- lineage
        _source_file as source_file,
        _line_number as line_number,

        row_number() over (
            partition by message_id
            order by _delivery_date, _source_file, _line_number
        ) as delivery_rank

    from source

),

deduplicated as (

    select
        message_id,
        user_id,
        context_group_id,
        event_name,
        properties_json,
        event_at,
        event_date,
        delivered_on,
        source_file,
        line_number

    from renamed
    where delivery_rank = 1

)

select * from deduplicated

-- One row per group call: it ties a user to an account (groupId) from its
-- timestamp on.
with

source as (

    select * from {{ source('raw', 'product_events') }}
    where event_type = 'group'

),

renamed as (

    select
        ----------  ids
        message_id,
        {{ source_id('user_id') }} as user_id,
        {{ source_id('group_id') }} as account_id,

        ---------- traits
        {{ json_extract_string('traits_json', 'name') }} as group_name,

        ---------- timestamps
        event_timestamp as grouped_at,
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
        user_id,
        account_id,
        group_name,
        grouped_at,
        delivered_on

    from renamed
    where delivery_rank = 1 and account_id is not null

)

select * from deduplicated

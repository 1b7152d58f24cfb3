-- One row per CSM note, its latest delivered version.
with

source as (

    select * from {{ source('raw', 'cs_notes') }}

),

renamed as (

    select
        {{ source_id('id') }} as note_id,
        {{ source_id('account_id') }} as account_id,
        author,
        channel,
        body,
        created_at,

        row_number() over (
            partition by {{ source_id('id') }}
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
        note_id,
        account_id,
        author,
        channel,
        body,
        created_at

    from renamed
    where version_rank = 1

)

select * from deduplicated

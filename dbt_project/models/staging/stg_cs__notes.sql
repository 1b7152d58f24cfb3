-- One row per CSM note, its latest delivered version.
with

source as (

    select * from {{ source('raw', 'cs_notes') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as note_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        author,
        channel,
        body,
        created_at,

        row_number() over (
            partition by id
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

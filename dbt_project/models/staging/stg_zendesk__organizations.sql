-- One row per Zendesk organization, its latest delivered version.
with

source as (

    select * from {{ source('raw', 'support_organizations') }}

),

renamed as (

    select
        {{ source_id('id') }} as organization_id,
        {{ source_id('external_id') }} as account_id,
        name as organization_name,

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
        organization_id,
        account_id,
        organization_name

    from renamed
    where version_rank = 1

)

select * from deduplicated

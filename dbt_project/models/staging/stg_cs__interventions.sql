-- One row per intervention, its latest delivered version.
with

source as (

    select * from {{ source('raw', 'cs_interventions') }}

),

renamed as (

    select
        cast(intervention_id as {{ dbt.type_string() }}) as intervention_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        lower(trim(feature_key)) as feature_key,
        type as intervention_type,
        owner,
        started_at,

        row_number() over (
            partition by intervention_id
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
        intervention_id,
        account_id,
        feature_key,
        intervention_type,
        owner,
        started_at

    from renamed
    where version_rank = 1

)

select * from deduplicated

with

source as (

    select * from {{ source('raw', 'catalog_plan_features') }}

),

renamed as (

    select distinct
        lower(trim(plan)) as plan,
        lower(trim(feature_key)) as feature_key

    from source

)

select * from renamed

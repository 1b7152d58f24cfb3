with

source as (

    select * from {{ source('raw', 'catalog_product') }}

),

renamed as (

    select
        lower(trim(key)) as setting_key,
        trim(value) as setting_value

    from source

)

select * from renamed

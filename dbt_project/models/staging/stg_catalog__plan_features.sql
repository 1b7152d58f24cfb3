-- Entitlement, one row per (plan, feature), in the catalog's spelling: a
-- feature key written in another case than catalog/features.csv's takes the
-- catalog's (the load refuses keys it cannot match case-insensitively).
with

source as (

    select * from {{ source('raw', 'catalog_plan_features') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

renamed as (

    select distinct
        trim(source.plan) as plan,
        coalesce(features.feature_key, trim(source.feature_key)) as feature_key

    from source
    left join features
        on lower(trim(source.feature_key)) = lower(features.feature_key)

)

select * from renamed

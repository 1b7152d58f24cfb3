-- Entitlement, one row per (plan, feature), in the catalog's spelling: a
-- feature key written in another case than catalog/features.csv's takes the
-- catalog's (the load refuses keys it cannot match case-insensitively), and a
-- plan written in two cases is one plan, spelled the first way in sort order.
with

source as (

    select * from {{ source('raw', 'catalog_plan_features') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

matched as (

    select
        trim(source.plan) as written_plan,
        coalesce(features.feature_key, trim(source.feature_key)) as feature_key

    from source
    left join features
        on lower(trim(source.feature_key)) = lower(features.feature_key)

),

renamed as (

    select distinct
        min(written_plan) over (partition by lower(written_plan)) as plan,
        feature_key

    from matched

)

select * from renamed

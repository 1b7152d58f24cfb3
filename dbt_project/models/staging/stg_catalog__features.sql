-- The feature catalog. feature_key keeps the catalog's own spelling
-- (trimmed): it is the key every output carries; other sources' references
-- match it case-insensitively.
with

source as (

    select * from {{ source('raw', 'catalog_features') }}

),

renamed as (

    select
        ----------  ids
        trim(feature_key) as feature_key,

        ---------- text
        feature_name,
        lower(trim(category)) as category,
        events as event_names,

        ---------- numerics
        cast(active_min_events_30d as {{ dbt.type_int() }})
            as active_min_events_30d,
        cast(expected_days_to_adopt as {{ dbt.type_int() }})
            as expected_days_to_adopt,
        -- optional: a catalog without weights values every feature alike
        coalesce(cast(value_weight as {{ type_double() }}), 1.0) as value_weight

    from source

)

select * from renamed

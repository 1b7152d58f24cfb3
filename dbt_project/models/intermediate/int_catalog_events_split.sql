-- The event -> feature mapping: catalog `events` split on `|`, one row per
-- (feature, event name). A feature lists several names when an event was
-- renamed between releases, so old and new names count for the same feature.
-- Names are matched trimmed and case-insensitively.
with

features as (

    select * from {{ ref('stg_catalog__features') }}

),

split_names as (

    select
        feature_key,
        {{ split_to_rows('event_names', '|') }} as event_name

    from features

),

final as (

    select distinct
        feature_key,
        lower(trim(event_name)) as event_name

    from split_names
    where trim(event_name) <> ''

)

select * from final

-- One row per intervention, its latest delivered version.
with

source as (

    select * from {{ source('raw', 'cs_interventions') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

renamed as (

    select
        {{ source_id('intervention_id') }} as intervention_id,
        {{ source_id('account_id') }} as account_id,
        trim(feature_key) as feature_key,
        -- `Technical Onboarding`, ` In-App Guide` are the known types too
        replace(replace(lower(trim(type)), ' ', '_'), '-', '_')
            as intervention_type,
        owner,
        started_at,

        row_number() over (
            partition by {{ source_id('intervention_id') }}
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

),

-- The catalog's spelling of the feature key; a key the catalog lacks stays
-- as written.
final as (

    select
        deduplicated.intervention_id,
        deduplicated.account_id,
        coalesce(features.feature_key, deduplicated.feature_key) as feature_key,
        deduplicated.intervention_type,
        deduplicated.owner,
        deduplicated.started_at

    from deduplicated
    left join features
        on lower(deduplicated.feature_key) = lower(features.feature_key)

)

select * from final

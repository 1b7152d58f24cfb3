-- One row per subscription per CRM snapshot day.
with

source as (

    select * from {{ source('raw', 'crm_subscriptions') }}

),

-- The catalog's spelling of each plan: a CRM picklist value in another case
-- is the same plan (entitlement), and the output shows the catalog's name.
catalog_plans as (

    select distinct plan from {{ ref('stg_catalog__plan_features') }}

),

renamed as (

    select
        ----------  ids
        {{ source_id('id') }} as subscription_id,
        {{ source_id('account_id') }} as account_id,

        ---------- text
        trim(plan) as plan,
        {{ picklist_value('status', ['Active', 'Cancelled', 'Expired']) }}
            as subscription_status,

        ---------- numerics
        cast(seats as {{ dbt.type_int() }}) as seats,
        cast(arr as {{ type_double() }}) as arr,

        ---------- dates
        snapshot_date,
        start_date,
        end_date,

        row_number() over (
            partition by snapshot_date, {{ source_id('id') }}
            order by _loaded_at desc, _source_file desc, _line_number desc
        ) as version_rank

    from source

),

deduplicated as (

    select
        subscription_id,
        account_id,
        plan,
        subscription_status,
        seats,
        arr,
        snapshot_date,
        start_date,
        end_date

    from renamed
    where version_rank = 1

),

final as (

    select
        deduplicated.subscription_id,
        deduplicated.account_id,
        coalesce(catalog_plans.plan, deduplicated.plan) as plan,
        deduplicated.subscription_status,
        deduplicated.seats,
        deduplicated.arr,
        deduplicated.snapshot_date,
        deduplicated.start_date,
        deduplicated.end_date

    from deduplicated
    left join catalog_plans
        on lower(deduplicated.plan) = lower(catalog_plans.plan)

)

select * from final

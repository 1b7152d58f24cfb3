-- One row per account per CRM snapshot day (a day's snapshot is the truth for
-- that day).
with

source as (

    select * from {{ source('raw', 'crm_accounts') }}

),

renamed as (

    select
        ----------  ids
        {{ source_id('id') }} as account_id,
        {{ source_id('owner_id') }} as csm_owner,

        ---------- text
        name as account_name,
        industry,
        billing_country,
        primary_use_case as use_case,

        ---------- numerics
        cast(number_of_employees as {{ dbt.type_int() }}) as employees,

        ---------- dates
        snapshot_date,
        created_date,

        row_number() over (
            partition by snapshot_date, {{ source_id('id') }}
            order by _loaded_at desc, _source_file desc, _line_number desc
        ) as version_rank

    from source

),

deduplicated as (

    select
        account_id,
        csm_owner,
        account_name,
        industry,
        billing_country,
        use_case,
        employees,
        snapshot_date,
        created_date

    from renamed
    where version_rank = 1

)

select * from deduplicated

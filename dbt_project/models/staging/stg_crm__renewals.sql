-- One row per renewal opportunity per CRM snapshot day.
with

source as (

    select * from {{ source('raw', 'crm_renewals') }}

),

renamed as (

    select
        ----------  ids
        cast(id as {{ dbt.type_string() }}) as renewal_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,

        ---------- text
        type as renewal_type,
        stage_name,

        ---------- numerics
        cast(amount as {{ type_double() }}) as amount,

        ---------- dates
        snapshot_date,
        close_date,

        row_number() over (
            partition by snapshot_date, id
            order by _loaded_at desc, _source_file desc, _line_number desc
        ) as version_rank

    from source

),

deduplicated as (

    select
        renewal_id,
        account_id,
        renewal_type,
        stage_name,
        amount,
        snapshot_date,
        close_date

    from renamed
    where version_rank = 1

)

select * from deduplicated

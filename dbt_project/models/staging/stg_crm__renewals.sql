-- One row per renewal opportunity per CRM snapshot day.
with

source as (

    select * from {{ source('raw', 'crm_renewals') }}

),

renamed as (

    select
        ----------  ids
        {{ source_id('id') }} as renewal_id,
        {{ source_id('account_id') }} as account_id,

        ---------- text
        {{ picklist_value('type', ['Renewal', 'Expansion', 'Downgrade']) }}
            as renewal_type,
        {{ picklist_value('stage_name', ['Closed Won', 'Closed Lost']) }}
            as stage_name,

        ---------- numerics
        cast(amount as {{ type_double() }}) as amount,

        ---------- dates
        snapshot_date,
        close_date,

        row_number() over (
            partition by snapshot_date, {{ source_id('id') }}
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

with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

organizations as (

    select * from {{ ref('stg_zendesk__organizations') }}

),

account_organizations as (

    select
        account_id,
        min(organization_id) as support_organization_id

    from organizations
    where account_id is not null
    group by account_id

),

final as (

    select
        ----------  ids
        accounts.account_id,
        accounts.subscription_id,
        account_organizations.support_organization_id,

        ---------- attributes
        accounts.account_name,
        accounts.industry,
        accounts.employees,
        accounts.employee_band,
        accounts.billing_country,
        accounts.use_case,
        accounts.plan,
        accounts.subscription_status,
        accounts.is_active_customer,
        accounts.csm_owner,
        accounts.cohort_key,

        ---------- metrics
        accounts.seats,
        accounts.arr,
        accounts.tenure_days,

        ---------- dates
        accounts.contract_start,
        accounts.subscription_start_date,
        accounts.renewal_date,
        accounts.created_on,
        accounts.state_since,
        {{ as_of_date() }} as as_of_date

    from accounts
    left join account_organizations
        on accounts.account_id = account_organizations.account_id

)

select * from final

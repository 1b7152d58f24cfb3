-- Each account's CRM state as of as_of_date (its latest version), with cohort
-- attributes.
with

history as (

    select * from {{ ref('int_account_history_versioned') }}

),

final as (

    select
        ----------  ids
        account_id,
        subscription_id,
        csm_owner,

        ---------- attributes
        account_name,
        industry,
        employees,
        {{ employee_band('employees') }} as employee_band,
        billing_country,
        use_case,
        plan,
        subscription_status,
        coalesce(subscription_status = 'Active', false) as is_active_customer,
        {{ cohort_key('industry', 'employees', 'plan') }} as cohort_key,

        ---------- metrics
        seats,
        arr,
        {{ days_between('contract_start', as_of_date()) }} as tenure_days,

        ---------- dates
        created_date,
        contract_start,
        subscription_start_date,
        renewal_date,
        valid_from as state_since_date

    from history
    where valid_to is null

)

select * from final

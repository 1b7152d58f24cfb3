with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

organizations as (

    select * from {{ ref('stg_zendesk__organizations') }}

),

-- Written by the train step after this build (uptake.ml.personas): empty on the
-- first build, then this model is rebuilt with the day's personas. Another
-- day's personas are not joined.
personas as (

    {{ optional_source('ml', 'account_personas', {
        'account_id': dbt.type_string(),
        'persona_id': dbt.type_int(),
        'persona_name': dbt.type_string(),
        'as_of_date': 'date',
    }) }}

),

current_personas as (

    select
        account_id,
        persona_id,
        persona_name

    from personas
    where as_of_date = {{ as_of_date() }}

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
        current_personas.persona_id,
        current_personas.persona_name,

        ---------- metrics
        accounts.seats,
        accounts.arr,
        accounts.tenure_days,

        ---------- dates
        accounts.contract_start,
        accounts.subscription_start_date,
        accounts.renewal_date,
        accounts.created_date,
        accounts.state_since_date,
        {{ as_of_date() }} as as_of_date

    from accounts
    left join account_organizations
        on accounts.account_id = account_organizations.account_id
    left join current_personas
        on accounts.account_id = current_personas.account_id

)

select * from final

-- CRM history from comparing snapshots: a new version starts on the first
-- snapshot whose state differs from the previous one (plan, seats, ARR, owner,
-- status, ...). A version holds from valid_from until the day before valid_to
-- (null = still current at as_of_date), so the state on any day is the latest
-- snapshot at or before it, even when exports skip days.
with

states as (

    select * from {{ ref('int_account_states_snapshotted') }}

),

compared as (

    select
        *,
        lag(plan)
            over (partition by account_id order by snapshot_date)
            as previous_plan,
        lag(seats)
            over (partition by account_id order by snapshot_date)
            as previous_seats,
        lag(csm_owner)
            over (partition by account_id order by snapshot_date)
            as previous_csm_owner,
        lag(arr)
            over (partition by account_id order by snapshot_date)
            as previous_arr,
        lag(subscription_status)
            over (partition by account_id order by snapshot_date)
            as previous_subscription_status,
        lag(subscription_id)
            over (partition by account_id order by snapshot_date)
            as previous_subscription_id,
        lag(renewal_date) over (partition by account_id order by snapshot_date)
            as previous_renewal_date,
        lag(contract_start)
            over (partition by account_id order by snapshot_date)
            as previous_contract_start,
        lag(account_name) over (partition by account_id order by snapshot_date)
            as previous_account_name,
        lag(industry)
            over (partition by account_id order by snapshot_date)
            as previous_industry,
        lag(employees)
            over (partition by account_id order by snapshot_date)
            as previous_employees,
        lag(use_case)
            over (partition by account_id order by snapshot_date)
            as previous_use_case,
        row_number()
            over (partition by account_id order by snapshot_date)
            as snapshot_number

    from states

),

versions as (

    select
        *,
        (snapshot_number > 1 and {{ value_changed('plan', 'previous_plan') }})
            as is_plan_change,
        (snapshot_number > 1 and {{ value_changed('seats', 'previous_seats') }})
            as is_seat_change,
        (
            snapshot_number > 1
            and {{ value_changed('csm_owner', 'previous_csm_owner') }}
        ) as is_owner_change

    from compared
    where
        snapshot_number = 1
        or {{ value_changed('plan', 'previous_plan') }}
        or {{ value_changed('seats', 'previous_seats') }}
        or {{ value_changed('csm_owner', 'previous_csm_owner') }}
        or {{ value_changed('arr', 'previous_arr') }}
        or {{ value_changed(
            'subscription_status', 'previous_subscription_status'
        ) }}
        or {{ value_changed('subscription_id', 'previous_subscription_id') }}
        or {{ value_changed('renewal_date', 'previous_renewal_date') }}
        or {{ value_changed('contract_start', 'previous_contract_start') }}
        or {{ value_changed('account_name', 'previous_account_name') }}
        or {{ value_changed('industry', 'previous_industry') }}
        or {{ value_changed('employees', 'previous_employees') }}
        or {{ value_changed('use_case', 'previous_use_case') }}

),

final as (

    select
        ----------  ids
        {{ dbt.concat([
            'account_id', "'@'", dbt.cast('snapshot_date', dbt.type_string())
        ]) }} as account_version_id,
        account_id,
        subscription_id,
        csm_owner,

        ---------- attributes
        account_name,
        industry,
        employees,
        billing_country,
        use_case,
        plan,
        subscription_status,

        ---------- metrics
        seats,
        arr,

        ---------- changes against the previous version
        is_plan_change,
        is_seat_change,
        is_owner_change,
        previous_plan,
        previous_seats,
        previous_csm_owner,

        ---------- dates
        created_date,
        subscription_start_date,
        renewal_date,
        contract_start,
        snapshot_date as valid_from,
        lead(snapshot_date)
            over (partition by account_id order by snapshot_date)
            as valid_to

    from versions

)

select * from final

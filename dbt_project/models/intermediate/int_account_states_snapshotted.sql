-- The CRM state of each account on each accounts-snapshot day up to as_of_date:
-- the account row of that day joined to the subscriptions snapshot in force
-- (the latest at or before it). The subscription that describes the account is
-- its Active one in force on the snapshot day, else its Active one signed ahead
-- (a renewal contract starting later: its start and end are not yet the
-- account's), else its latest started.
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}
    where snapshot_date <= {{ as_of_date() }}

),

subscriptions as (

    select * from {{ ref('stg_crm__subscriptions') }}
    where snapshot_date <= {{ as_of_date() }}

),

account_days as (

    select distinct snapshot_date from accounts

),

subscription_days as (

    select distinct snapshot_date from subscriptions

),

aligned_days as (

    select
        account_days.snapshot_date,
        max(subscription_days.snapshot_date) as subscription_snapshot_date

    from account_days
    left join subscription_days
        on account_days.snapshot_date >= subscription_days.snapshot_date
    group by account_days.snapshot_date

),

ranked_subscriptions as (

    select
        subscriptions.*,
        row_number() over (
            partition by subscriptions.snapshot_date, subscriptions.account_id
            order by
                case
                    when subscriptions.subscription_status = 'Active'
                        then 0
                    else 1
                end,
                case
                    when subscriptions.start_date > subscriptions.snapshot_date
                        then 1
                    else 0
                end,
                subscriptions.start_date desc,
                subscriptions.subscription_id desc
        ) as subscription_rank,
        min(subscriptions.start_date) over (
            partition by subscriptions.snapshot_date, subscriptions.account_id
        ) as earliest_start_date

    from subscriptions

),

final as (

    select
        ----------  ids
        accounts.account_id,
        accounts.snapshot_date,
        ranked_subscriptions.subscription_id,
        accounts.csm_owner,

        ---------- attributes
        accounts.account_name,
        accounts.industry,
        accounts.employees,
        accounts.billing_country,
        accounts.use_case,
        ranked_subscriptions.plan,
        ranked_subscriptions.subscription_status,

        ---------- metrics
        ranked_subscriptions.seats,
        ranked_subscriptions.arr,

        ---------- dates
        accounts.created_date,
        ranked_subscriptions.start_date as subscription_start_date,
        ranked_subscriptions.end_date as renewal_date,
        -- the customer's first contract start seen in any snapshot so far
        min(ranked_subscriptions.earliest_start_date) over (
            partition by accounts.account_id
            order by accounts.snapshot_date
            rows between unbounded preceding and current row
        ) as contract_start

    from accounts
    inner join aligned_days
        on accounts.snapshot_date = aligned_days.snapshot_date
    left join ranked_subscriptions
        on
            accounts.account_id = ranked_subscriptions.account_id
            and aligned_days.subscription_snapshot_date
            = ranked_subscriptions.snapshot_date
            and ranked_subscriptions.subscription_rank = 1

)

select * from final

-- Renewal opportunities in their latest snapshot at or before as_of_date. A
-- Renewal that is Closed Lost is a churn. arr is the account's ARR in force on
-- the close date (or on as_of_date for an opportunity that closes later),
-- falling back to the opportunity amount.
with

renewals as (

    select * from {{ ref('stg_crm__renewals') }}
    where snapshot_date <= {{ as_of_date() }}

),

history as (

    select * from {{ ref('int_account_history_versioned') }}

),

latest_renewals as (

    select
        renewals.*,
        row_number() over (
            partition by renewals.renewal_id
            order by renewals.snapshot_date desc
        ) as snapshot_rank

    from renewals

),

current_renewals as (

    select
        renewal_id,
        account_id,
        renewal_type,
        stage_name,
        amount,
        close_date,
        snapshot_date,
        case
            when close_date is null or close_date > {{ as_of_date() }}
                then {{ as_of_date() }}
            else close_date
        end as arr_measured_on

    from latest_renewals
    where snapshot_rank = 1

),

final as (

    select
        ----------  ids
        current_renewals.renewal_id,
        current_renewals.account_id,

        ---------- attributes
        current_renewals.renewal_type,
        current_renewals.stage_name,
        history.plan as plan_at_close,
        current_renewals.stage_name in ('Closed Won', 'Closed Lost')
            as is_closed,
        current_renewals.stage_name = 'Closed Won' as is_won,
        current_renewals.renewal_type = 'Renewal'
        and current_renewals.stage_name = 'Closed Lost'
            as is_churned,

        ---------- metrics
        current_renewals.amount,
        coalesce(history.arr, current_renewals.amount) as arr,

        ---------- dates
        current_renewals.close_date,
        current_renewals.snapshot_date as last_snapshot_date

    from current_renewals
    left join history
        on
            current_renewals.account_id = history.account_id
            and current_renewals.arr_measured_on >= history.valid_from
            and (
                history.valid_to is null
                or current_renewals.arr_measured_on < history.valid_to
            )

)

select * from final

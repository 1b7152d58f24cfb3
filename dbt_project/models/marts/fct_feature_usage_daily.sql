with

feature_usage as (

    select * from {{ ref('int_user_feature_usage_daily') }}

),

final as (

    select
        account_id,
        feature_key,
        usage_date,
        cast(sum(events) as {{ dbt.type_bigint() }}) as events,
        count(distinct user_id) as active_users

    from feature_usage
    group by
        account_id,
        feature_key,
        usage_date

)

select * from final

-- The first day the adoption rule held for each account x feature (event
-- time): read by the as-of adoption state and by the gap candidates' "adopted
-- before" signal.
with

adoption_daily as (

    select * from {{ ref('int_account_feature_adoption_daily') }}

),

final as (

    select
        account_id,
        feature_key,
        min(evaluated_on) as first_adopted_date

    from adoption_daily
    where is_adopted
    group by account_id, feature_key

)

select * from final

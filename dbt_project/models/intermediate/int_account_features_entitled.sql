-- Entitled features: the features of the account's current plan
-- (catalog/plan_features.csv). Only customers with an active subscription are
-- entitled: a cancelled account has no plan.
with

accounts as (

    select * from {{ ref('int_accounts_current') }}

),

plan_features as (

    select * from {{ ref('stg_catalog__plan_features') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

final as (

    select
        accounts.account_id,
        features.feature_key,
        accounts.plan

    from accounts
    inner join plan_features
        on accounts.plan = plan_features.plan
    inner join features
        on plan_features.feature_key = features.feature_key
    where accounts.is_active_customer

)

select * from final

{#- Feature usage in the 30 days up to each evaluation point, with the adoption
    rule applied.

    points:        relation/CTE with distinct (account_id, evaluated_on)
    feature_usage: int_user_feature_usage_daily (account_id, user_id,
                   feature_key, usage_date, delivered_on, events)
    activity:      int_user_activity_daily (account_id, user_id, activity_date,
                   delivered_on, events)
    features:      stg_catalog__features
    point_in_time: when true, only rows delivered by the evaluation day count
                   (what was known then)

    Returns account_id, feature_key, evaluated_on, events_30d, users_30d,
    active_users_30d, account_active_users_30d, feature_adoption_rate,
    is_adopted; one row per point and feature with at least one event in the
    window. -#}
{% macro feature_window_metrics(
    points, feature_usage, activity, features, point_in_time=false
) -%}
    select
        feature_totals.account_id,
        feature_totals.feature_key,
        feature_totals.evaluated_on,
        feature_totals.events_30d,
        feature_totals.users_30d,
        feature_totals.active_users_30d,
        coalesce(account_totals.active_users_30d, 0)
            as account_active_users_30d,
        {{ feature_adoption_rate(
            'feature_totals.active_users_30d', 'account_totals.active_users_30d'
        ) }} as feature_adoption_rate,
        {{ is_feature_adopted(
            'feature_totals.events_30d',
            'feature_totals.active_users_30d',
            'account_totals.active_users_30d',
            'feature_totals.active_min_events_30d',
        ) }} as is_adopted
    from (
        select
            per_user.account_id,
            per_user.feature_key,
            per_user.evaluated_on,
            max(feature_catalog.active_min_events_30d) as active_min_events_30d,
            cast(sum(per_user.user_events) as {{ dbt.type_bigint() }})
                as events_30d,
            count(*) as users_30d,
            cast(sum(
                case
                    when
                        per_user.user_events
                        >= feature_catalog.active_min_events_30d
                        then 1
                    else 0
                end
            ) as {{ dbt.type_bigint() }}) as active_users_30d
        from (
            select
                window_points.account_id,
                window_points.evaluated_on,
                usage.feature_key,
                usage.user_id,
                cast(sum(usage.events) as {{ dbt.type_bigint() }})
                    as user_events
            from {{ points }} as window_points
            inner join {{ feature_usage }} as usage
                on
                    window_points.account_id = usage.account_id
                    and {{ in_trailing_window(
                        'usage.usage_date', 'window_points.evaluated_on', 30
                    ) }}
                    {%- if point_in_time %}
                    and usage.delivered_on <= window_points.evaluated_on
                    {%- endif %}
            group by
                window_points.account_id,
                window_points.evaluated_on,
                usage.feature_key,
                usage.user_id
        ) as per_user
        inner join {{ features }} as feature_catalog
            on per_user.feature_key = feature_catalog.feature_key
        group by
            per_user.account_id,
            per_user.feature_key,
            per_user.evaluated_on
    ) as feature_totals
    left join (
        select
            window_points.account_id,
            window_points.evaluated_on,
            count(distinct activity.user_id) as active_users_30d
        from {{ points }} as window_points
        inner join {{ activity }} as activity
            on
                window_points.account_id = activity.account_id
                and {{ in_trailing_window(
                    'activity.activity_date', 'window_points.evaluated_on', 30
                ) }}
                {%- if point_in_time %}
                and activity.delivered_on <= window_points.evaluated_on
                {%- endif %}
        group by
            window_points.account_id,
            window_points.evaluated_on
    ) as account_totals
        on
            feature_totals.account_id = account_totals.account_id
            and feature_totals.evaluated_on = account_totals.evaluated_on
{%- endmacro %}

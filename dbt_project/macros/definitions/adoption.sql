{#- The adoption definitions (docs/dbt.md "Definitions"). Each lives here once;
    models call them. -#}

{#- Feature adoption rate: active users of the feature / active users of the
    account (30 days). -#}
{% macro feature_adoption_rate(feature_active_users, account_active_users) -%}
    {{ safe_divide(feature_active_users, account_active_users) }}
{%- endmacro %}

{#- Adopted: in the 30 days up to the evaluation day at least one user of the
    account reached active_min_events_30d events of the feature (an active user
    of it: the feature is in regular use). How many of the account's users use
    it is the feature adoption rate, a depth measure, not a condition: partial
    use is reported as depth, never as a missing feature. -#}
{% macro is_feature_adopted(
    events_30d, feature_active_users, account_active_users, active_min_events
) -%}
    (
        coalesce({{ events_30d }}, 0) >= {{ active_min_events }}
        and coalesce({{ feature_active_users }}, 0) >= 1
    )
{%- endmacro %}

{#- adopted | trying (used in the last 30 days, not adopted) | abandoned (used
    before, not in the last 30 days) | never_used. -#}
{% macro adoption_status(
    events_30d,
    feature_active_users,
    account_active_users,
    active_min_events,
    first_used_at
) -%}
    case
        when {{ is_feature_adopted(
            events_30d,
            feature_active_users,
            account_active_users,
            active_min_events
        ) }}
            then 'adopted'
        when coalesce({{ events_30d }}, 0) > 0 then 'trying'
        when {{ first_used_at }} is not null then 'abandoned'
        else 'never_used'
    end
{%- endmacro %}

{#- Weight of a feature in weighted depth: value_weight, core features
    multiplied by var core_feature_multiplier: depth counts core features
    first. -#}
{% macro depth_weight(category, value_weight) -%}
    (
        coalesce({{ value_weight }}, 1)
        * case
            when {{ category }} = 'core'
                then {{ var('core_feature_multiplier') }}
            else 1
        end
    )
{%- endmacro %}

{#- Usage trend: relative change of the last 30 days against the 30 before,
    (last - prev) / prev; -0.25 means 25 % fewer events. Null when the previous
    window had no events. -#}
{% macro usage_trend(events_last, events_prev) -%}
    {{ safe_divide(
        "(" ~ events_last ~ " - " ~ events_prev ~ ")", events_prev
    ) }}
{%- endmacro %}

{#- Round a number and keep it a float on every adapter (postgres has no
    round(double, int)). -#}
{% macro round_float(expression, digits) -%}
    cast(
        round(cast({{ expression }} as {{ dbt.type_numeric() }}), {{ digits }})
        as {{ type_double() }}
    )
{%- endmacro %}

{#- Adoption score 0-100, a weighted blend of five components each scaled to
    0..1:
      0.35 weighted depth (weighted_depth_pct / 100)
      0.20 license utilization (capped at 1)
      0.15 stickiness (dau_mau / 0.20, capped at 1: 20 % DAU/MAU is a healthy
           B2B level)
      0.15 trend (0.5 + usage_trend / 2, clamped to 0..1; no previous usage:
           1 if used now, else 0)
      0.15 retention (1 - dormant users / active users, floored at 0; 0 without
           active users) -#}
{% macro adoption_score(
    weighted_depth_pct,
    license_utilization,
    dau_mau,
    events_last,
    events_prev,
    active_users,
    dormant_users
) -%}
    {{ round_float(
        "100 * ("
        ~ "0.35 * coalesce(" ~ weighted_depth_pct ~ ", 0) / 100"
        ~ " + 0.20 * least(coalesce(" ~ license_utilization ~ ", 0), 1)"
        ~ " + 0.15 * least(coalesce(" ~ dau_mau ~ ", 0) / 0.20, 1)"
        ~ " + 0.15 * case when coalesce(" ~ events_prev ~ ", 0) = 0"
        ~ " then case when coalesce(" ~ events_last
        ~ ", 0) > 0 then 1 else 0 end"
        ~ " else greatest(0, least(1, 0.5 + 0.5 * "
        ~ usage_trend(events_last, events_prev) ~ ")) end"
        ~ " + 0.15 * greatest(0, coalesce(1 - "
        ~ safe_divide(dormant_users, active_users) ~ ", 0))"
        ~ ")",
        1,
    ) }}
{%- endmacro %}

{#- Adoption-depth benchmark bands by product complexity (Good / Great / World
    class): low 50/60/75, moderate 35/50/65, high 25/40/55 percent; unknown
    complexity is moderate. -#}
{% macro benchmark_band(depth_pct, complexity) -%}
    case
        when {{ depth_pct }} is null then null
        when {{ depth_pct }} >= case {{ complexity }}
                when 'low' then 75 when 'high' then 55 else 65
            end
            then 'world_class'
        when {{ depth_pct }} >= case {{ complexity }}
                when 'low' then 60 when 'high' then 40 else 50
            end
            then 'great'
        when {{ depth_pct }} >= case {{ complexity }}
                when 'low' then 50 when 'high' then 25 else 35
            end
            then 'good'
        else 'below_good'
    end
{%- endmacro %}

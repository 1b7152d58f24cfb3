"""Great Expectations suites for the dbt-built marts (the quality gate before ML and scoring).

Loaded by path by ``uptake.quality`` (this folder is not a package). Every expectation stops the
pipeline when it fails unless wrapped in ``warn(...)``. The column lists are the data contract
(docs/contract.md section 2, docs/architecture.md): a mart missing one of them fails the gate.
Scored tables (account_scores, adoption_gaps, adoption_alerts) are written after this gate and
are not checked here.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from uptake.quality.expectation_builders import (
    columns_present,
    has_rows,
    non_negative,
    not_after,
    not_null,
    percent,
    rate,
)
from uptake.quality.suites import warn

SCHEMA = "marts"

ADOPTION_STATUSES = ["adopted", "trying", "abandoned", "never_used"]
FEATURE_CATEGORIES = ["core", "advanced", "premium"]


SUITES: dict[str, list[gxe.Expectation]] = {
    "dim_accounts": [
        columns_present(
            "account_id",
            "account_name",
            "industry",
            "employee_band",
            "use_case",
            "plan",
            "seats",
            "arr",
            "contract_start",
            "renewal_date",
            "csm_owner",
            "tenure_days",
            "cohort_key",
        ),
        has_rows(),
        *not_null("account_id", "cohort_key"),
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        non_negative("arr"),
        non_negative("seats"),
        warn(non_negative("tenure_days")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="plan")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="csm_owner")),
        warn(not_after("contract_start", "renewal_date")),
    ],
    "fct_feature_usage_daily": [
        columns_present("account_id", "feature_key", "usage_date", "events", "active_users"),
        has_rows(),
        *not_null("account_id", "feature_key", "usage_date"),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["account_id", "feature_key", "usage_date"]
        ),
        non_negative("events"),
        non_negative("active_users"),
    ],
    "account_feature_adoption": [
        columns_present(
            "account_id",
            "feature_key",
            "category",
            "is_entitled",
            "first_used_at",
            "last_used_at",
            "events_30d",
            "users_30d",
            "feature_adoption_rate",
            "adoption_status",
            "peer_adoption_rate",
        ),
        has_rows(),
        *not_null("account_id", "feature_key", "adoption_status"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "feature_key"]),
        gxe.ExpectColumnValuesToBeInSet(column="adoption_status", value_set=ADOPTION_STATUSES),
        rate("feature_adoption_rate"),
        rate("peer_adoption_rate"),
        non_negative("events_30d"),
        non_negative("users_30d"),
        warn(gxe.ExpectColumnValuesToBeInSet(column="category", value_set=FEATURE_CATEGORIES)),
        warn(not_after("first_used_at", "last_used_at")),
        # Some entitled feature was used once at least: none at all means the events name no
        # catalog event or belong to no CRM account (the failure says which:
        # uptake.quality.usage_hints), not that every customer ignores the product.
        gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
            column="first_used_at", min_value=1e-9
        ),
    ],
    "account_adoption": [
        columns_present(
            "account_id",
            "as_of_date",
            "adoption_depth_pct",
            "weighted_depth_pct",
            "license_utilization",
            "dau_mau",
            "time_to_value_days",
            "adoption_velocity_days",
            "usage_trend_30d",
            "dormant_users",
            "adoption_score",
            "cohort_percentile",
            "benchmark_band",
        ),
        has_rows(),
        *not_null("account_id", "as_of_date", "adoption_score"),
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        # One build scores one day: every row carries the same as_of_date.
        gxe.ExpectColumnUniqueValueCountToBeBetween(column="as_of_date", min_value=1, max_value=1),
        percent("adoption_score"),
        percent("adoption_depth_pct"),
        percent("weighted_depth_pct"),
        rate("dau_mau"),
        non_negative("license_utilization"),
        # More active users than seats happens (shared logins, seat true-ups), so only warn.
        warn(gxe.ExpectColumnValuesToBeBetween(column="license_utilization", max_value=1)),
        non_negative("dormant_users"),
        warn(percent("cohort_percentile")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="benchmark_band")),
    ],
    "cohort_benchmarks": [
        columns_present("cohort_key", "feature_key", "accounts", "peer_adoption_rate"),
        has_rows(),
        *not_null("cohort_key", "feature_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["cohort_key", "feature_key"]),
        gxe.ExpectColumnValuesToBeBetween(column="accounts", min_value=1),
        rate("peer_adoption_rate"),
    ],
}

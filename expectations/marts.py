"""Great Expectations suites for the dbt-built marts (the quality gate before ML and scoring).

Loaded by path by ``uptake.quality`` (this folder is not a package). Every expectation stops the
pipeline when it fails unless wrapped in ``warn(...)``. The column lists are the data contract
(docs/contract.md section 2, docs/architecture.md): a mart missing one of them fails the gate.
Scored tables (account_scores, adoption_gaps, adoption_alerts) are written after this gate and
are not checked here.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from uptake.quality.suites import warn

SCHEMA = "marts"

ADOPTION_STATUSES = ["adopted", "trying", "abandoned", "never_used"]
FEATURE_CATEGORIES = ["core", "advanced", "premium"]


def _columns(*names: str) -> gxe.Expectation:
    return gxe.ExpectTableColumnsToMatchSet(column_set=list(names), exact_match=False)


def _not_null(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column) for column in columns]


def _has_rows() -> gxe.Expectation:
    return gxe.ExpectTableRowCountToBeBetween(min_value=1)


def _rate(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)


def _percent(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100)


def _non_negative(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)


def _not_after(earlier: str, later: str) -> gxe.Expectation:
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
    )


SUITES: dict[str, list[gxe.Expectation]] = {
    "dim_accounts": [
        _columns(
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
        _has_rows(),
        *_not_null("account_id", "cohort_key"),
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        _non_negative("arr"),
        _non_negative("seats"),
        warn(_non_negative("tenure_days")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="plan")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="csm_owner")),
        warn(_not_after("contract_start", "renewal_date")),
    ],
    "fct_feature_usage_daily": [
        _columns("account_id", "feature_key", "usage_date", "events", "active_users"),
        _has_rows(),
        *_not_null("account_id", "feature_key", "usage_date"),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["account_id", "feature_key", "usage_date"]
        ),
        _non_negative("events"),
        _non_negative("active_users"),
    ],
    "account_feature_adoption": [
        _columns(
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
        _has_rows(),
        *_not_null("account_id", "feature_key", "adoption_status"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "feature_key"]),
        gxe.ExpectColumnValuesToBeInSet(column="adoption_status", value_set=ADOPTION_STATUSES),
        _rate("feature_adoption_rate"),
        _rate("peer_adoption_rate"),
        _non_negative("events_30d"),
        _non_negative("users_30d"),
        warn(gxe.ExpectColumnValuesToBeInSet(column="category", value_set=FEATURE_CATEGORIES)),
        warn(_not_after("first_used_at", "last_used_at")),
    ],
    "account_adoption": [
        _columns(
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
        _has_rows(),
        *_not_null("account_id", "as_of_date", "adoption_score"),
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        # One build scores one day: every row carries the same as_of_date.
        gxe.ExpectColumnUniqueValueCountToBeBetween(column="as_of_date", min_value=1, max_value=1),
        _percent("adoption_score"),
        _percent("adoption_depth_pct"),
        _percent("weighted_depth_pct"),
        _rate("dau_mau"),
        _non_negative("license_utilization"),
        # More active users than seats happens (shared logins, seat true-ups), so only warn.
        warn(gxe.ExpectColumnValuesToBeBetween(column="license_utilization", max_value=1)),
        _non_negative("dormant_users"),
        warn(_percent("cohort_percentile")),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="benchmark_band")),
    ],
    "cohort_benchmarks": [
        _columns("cohort_key", "feature_key", "accounts", "peer_adoption_rate"),
        _has_rows(),
        *_not_null("cohort_key", "feature_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["cohort_key", "feature_key"]),
        gxe.ExpectColumnValuesToBeBetween(column="accounts", min_value=1),
        _rate("peer_adoption_rate"),
    ],
    "fct_account_monthly_snapshots": [
        _columns(
            "account_id",
            "snapshot_date",
            "license_utilization",
            "adoption_depth_pct",
            "usage_trend_30d",
            "days_to_renewal",
        ),
        _has_rows(),
        *_not_null("account_id", "snapshot_date"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "snapshot_date"]),
        _non_negative("license_utilization"),
        _percent("adoption_depth_pct"),
    ],
    "fct_renewal_outcomes": [
        _columns("renewal_id", "account_id", "close_date", "is_closed", "is_churned", "arr"),
        *_not_null("renewal_id", "account_id"),
        gxe.ExpectColumnValuesToBeUnique(column="renewal_id"),
        warn(_has_rows()),
    ],
    "fct_support_tickets": [
        _columns("ticket_id", "account_id", "created_at", "updated_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="ticket_id"),
        gxe.ExpectColumnValuesToBeUnique(column="ticket_id"),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="account_id")),
        warn(_not_after("created_at", "updated_at")),
    ],
    "fct_cs_notes": [
        _columns("note_id", "account_id", "created_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="note_id"),
        gxe.ExpectColumnValuesToBeUnique(column="note_id"),
    ],
    "fct_interventions": [
        _columns("intervention_id", "account_id", "feature_key", "started_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="intervention_id"),
        gxe.ExpectColumnValuesToBeUnique(column="intervention_id"),
    ],
}

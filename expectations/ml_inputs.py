"""Great Expectations suites for the ML input facts (schema ``ml_inputs``), same gate as the marts.

Loaded by path by ``uptake.quality`` (this folder is not a package), like ``marts.py``. These
tables are what the models train and score on: a failed expectation stops training and scoring
exactly as a broken mart does.
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
)
from uptake.quality.suites import warn

SCHEMA = "ml_inputs"


SUITES: dict[str, list[gxe.Expectation]] = {
    "fct_account_snapshots_every_30_days": [
        columns_present(
            "account_id",
            "snapshot_date",
            "license_utilization",
            "adoption_depth_pct",
            "usage_trend_30d",
            "renewal_in_days",
        ),
        has_rows(),
        *not_null("account_id", "snapshot_date"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "snapshot_date"]),
        non_negative("license_utilization"),
        percent("adoption_depth_pct"),
    ],
    "fct_renewal_outcomes": [
        columns_present("renewal_id", "account_id", "close_date", "is_closed", "is_churned", "arr"),
        *not_null("renewal_id", "account_id"),
        gxe.ExpectColumnValuesToBeUnique(column="renewal_id"),
        warn(has_rows()),
    ],
    "fct_support_tickets": [
        columns_present("ticket_id", "account_id", "created_at", "updated_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="ticket_id"),
        gxe.ExpectColumnValuesToBeUnique(column="ticket_id"),
        warn(gxe.ExpectColumnValuesToNotBeNull(column="account_id")),
        warn(not_after("created_at", "updated_at")),
    ],
    "fct_cs_notes": [
        columns_present("note_id", "account_id", "created_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="note_id"),
        gxe.ExpectColumnValuesToBeUnique(column="note_id"),
    ],
    "fct_interventions": [
        columns_present("intervention_id", "account_id", "feature_key", "started_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="intervention_id"),
        gxe.ExpectColumnValuesToBeUnique(column="intervention_id"),
    ],
}

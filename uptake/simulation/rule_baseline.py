"""The strong rule baseline: a dozen hand-set rules over the signals each scored gap carries.

No learning. It reads what a careful analyst would (peers of the same use case, attempts,
tickets by intent, note themes) and is printed beside the models in every evaluation, so a
learned decision is only worth shipping where it beats this. Reads the signal columns of
``marts.adoption_gaps`` (scoring writes them for evidence); a missing one is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.scoring.impact import renewal_factor

BASELINE_COLUMNS = (
    "account_id",
    "feature_key",
    "adoption_status",
    "overdue_days",
    "use_case_peer_rate",
    "peer_adoption_rate",
    "how_to_tickets",
    "feature_request_tickets",
    "complaint_tickets",
    "training_notes",
    "product_fit_notes",
    "urgency_notes",
    "not_relevant_notes",
    "negative_feature_notes",
    "arr",
    "churn_probability",
    "value_weight",
    "renewal_in_days",
)
RELEVANT_PEER_RATE = 0.3  # fewer peers of the same use case adopt it: the account needs it not


def _number(gaps: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(gaps[column], errors="coerce").fillna(0.0)


def rule_baseline(gaps: pd.DataFrame) -> pd.DataFrame:
    """account_id, feature_key, baseline_flagged, baseline_cause, baseline_priority."""
    missing = [c for c in BASELINE_COLUMNS if c not in gaps.columns]
    if missing:
        raise KeyError(f"adoption_gaps lacks the baseline's signal columns: {missing}")
    status = gaps["adoption_status"]
    peers = pd.to_numeric(gaps["use_case_peer_rate"], errors="coerce").fillna(
        pd.to_numeric(gaps["peer_adoption_rate"], errors="coerce")
    )
    too_early = pd.to_numeric(gaps["overdue_days"], errors="coerce").fillna(0) < 0
    unneeded = (peers.fillna(0.0) < RELEVANT_PEER_RATE) | (_number(gaps, "not_relevant_notes") > 0)
    flagged = ~too_early & ~unneeded

    training = (
        _number(gaps, "how_to_tickets")
        + _number(gaps, "training_notes")
        + (status == "trying").astype(float)
    )
    product_fit = (
        _number(gaps, "feature_request_tickets")
        + _number(gaps, "complaint_tickets")
        + _number(gaps, "product_fit_notes")
        + _number(gaps, "negative_feature_notes")
        + (status == "abandoned").astype(float)
    )
    cause = np.where(
        (training == 0) & (product_fit == 0),
        "urgency",
        np.where(training >= product_fit, "training", "product_fit"),
    )
    cause = np.where(unneeded, "not_relevant", cause)
    priority = (
        _number(gaps, "arr")
        * _number(gaps, "churn_probability")
        * _number(gaps, "value_weight")
        * renewal_factor(pd.to_numeric(gaps["renewal_in_days"], errors="coerce"))
    )
    return pd.DataFrame(
        {
            "account_id": gaps["account_id"],
            "feature_key": gaps["feature_key"],
            "baseline_flagged": flagged.to_numpy(),
            "baseline_cause": cause,
            "baseline_priority": priority.to_numpy(),
        }
    )

"""Root cause of a gap: additive evidence per cause, the largest wins.

Each cause starts at ROOT_CAUSE_PRIOR and gains points from its signals (docs/scoring.md has
the table). ``root_cause_confidence`` is the winner's share of all points: 0.25 means no
evidence either way, 1.0 would mean every point went to one cause.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.scoring.rules import (
    HEALTHY_CHURN_PROBABILITY,
    IRRELEVANT_PEER_RATE,
    LOW_USE_CASE_PEER_RATE,
    NO_RENEWAL_PRESSURE_DAYS,
    ROOT_CAUSE_PRIOR,
    ROOT_CAUSES,
    TICKET_CAP,
    WEAK_PEER_RATE,
)


def _flag(condition: pd.Series) -> np.ndarray:
    return condition.fillna(False).astype(bool).to_numpy().astype(float)


def _capped(series: pd.Series, cap: float) -> np.ndarray:
    return series.fillna(0).clip(upper=cap).to_numpy().astype(float)


def _notes(gaps: pd.DataFrame, theme: str) -> np.ndarray:
    """Notes on this feature whose wording points to ``theme`` (0 when not computed)."""
    column = f"{theme}_notes"
    if column not in gaps.columns:
        return np.zeros(len(gaps))
    return _capped(gaps[column], 2)


def cause_scores(gaps: pd.DataFrame) -> pd.DataFrame:
    """One score column per cause (higher = more evidence), aligned with ``gaps``."""
    status = gaps["adoption_status"]
    trying, abandoned, never = (
        (status == "trying"),
        (status == "abandoned"),
        (status == "never_used"),
    )
    how_to = _capped(gaps["how_to_tickets"], TICKET_CAP)
    bugs = _capped(gaps["bug_tickets"], 2)
    unmet = _capped(gaps["feature_request_tickets"] + gaps["complaint_tickets"], TICKET_CAP)
    tickets = gaps[
        ["how_to_tickets", "bug_tickets", "feature_request_tickets", "complaint_tickets"]
    ].sum(axis=1)
    relevance = gaps["relevance"].fillna(0.0)
    days_to_renewal = gaps["days_to_renewal"]

    training = (
        1.5 * _flag(trying)
        + 0.5 * _flag(abandoned)
        + 1.0 * how_to
        + 0.5 * bugs
        + 1.0 * _notes(gaps, "training")
    )
    product_fit = (
        1.5 * _flag(abandoned)
        + 1.0 * unmet
        + 0.5 * _capped(gaps["negative_feature_notes"], 2)
        + 1.0 * _notes(gaps, "product_fit")
        + 0.5 * _capped(gaps["negative_account_notes"], 1)
        + 1.0 * _flag((gaps["use_case_peer_rate"] < LOW_USE_CASE_PEER_RATE) & ~never)
    )
    urgency = (
        1.5 * _flag(never)
        + 1.0 * _flag(gaps["churn_probability"] < HEALTHY_CHURN_PROBABILITY)
        + 1.0 * _flag(days_to_renewal.isna() | (days_to_renewal > NO_RENEWAL_PRESSURE_DAYS))
        + 1.0 * _notes(gaps, "urgency")
    )
    not_relevant = (
        2.0 * _flag(relevance < IRRELEVANT_PEER_RATE)
        + 1.0 * _flag(relevance < WEAK_PEER_RATE)
        + 1.0 * _flag(never & (tickets == 0) & (relevance < WEAK_PEER_RATE))
        + 1.0 * _notes(gaps, "not_relevant")
    )
    scores = pd.DataFrame(
        {
            "training": training,
            "product_fit": product_fit,
            "urgency": urgency,
            "not_relevant": not_relevant,
        },
        index=gaps.index,
    )
    return scores + ROOT_CAUSE_PRIOR


def classify_root_causes(gaps: pd.DataFrame) -> pd.DataFrame:
    """``root_cause`` and ``root_cause_confidence`` for each gap (ties: ROOT_CAUSES order)."""
    scores = cause_scores(gaps)[list(ROOT_CAUSES)]
    values = scores.to_numpy()
    winner = values.argmax(axis=1)  # first maximum, so ties follow ROOT_CAUSES order
    confidence = values.max(axis=1) / values.sum(axis=1)
    return pd.DataFrame(
        {
            "root_cause": [ROOT_CAUSES[i] for i in winner],
            "root_cause_confidence": np.round(confidence, 4),
        },
        index=gaps.index,
    )

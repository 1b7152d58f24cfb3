"""Root cause of a gap: additive evidence per cause, the largest wins.

Each cause starts at ROOT_CAUSE_PRIOR and gains points from its signals (docs/scoring.md has
the table). The winner's share of all points (``evidence_share``: 1/3 means no evidence either
way) says how one-sided the evidence is, not how often such a call is right;
``root_cause_confidence`` is that chance, calibrated on the development seeds (rules.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from uptake.scoring.relevance import need_probability, not_relevant_cutoff, own_use
from uptake.scoring.rules import (
    ACTIONABLE_CAUSES,
    CAUSE_CONFIDENCE_INTERCEPT,
    CAUSE_CONFIDENCE_NEED_SLOPE,
    CAUSE_CONFIDENCE_SHARE_SLOPE,
    CLEARLY_NEEDED,
    HOW_TO_TICKET_WEIGHT,
    LOW_USE_CASE_PEER_RATE,
    NEVER_USED_WEIGHT,
    NO_RENEWAL_PRESSURE_DAYS,
    NOT_RELEVANT_CONFIDENCE_INTERCEPT,
    NOT_RELEVANT_CONFIDENCE_SLOPE,
    ROOT_CAUSE_PRIOR,
    SPORADIC_USE_DAYS,
    TICKET_CAP,
    TRAINING_NOTE_WEIGHT,
    TRIAL_PACE_SPLIT,
    TRIAL_PACE_WEIGHT,
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
    status = own_use(gaps)  # a stray click counts as never used
    trying, abandoned, never = (
        (status == "trying"),
        (status == "abandoned"),
        (status == "never_used"),
    )
    # Abandoned lately is sporadic use (a struggling team comes back to it now and then);
    # abandoned long ago is a feature tried and dropped.
    last_use = pd.to_numeric(gaps["unused_for_days"], errors="coerce")
    sporadic = abandoned & (last_use <= SPORADIC_USE_DAYS)
    # How hard the account's users worked the feature while they used it (unknown: no points).
    pace = pd.to_numeric(gaps["use_pace"], errors="coerce")
    tried = trying | abandoned
    light_trial, serious_trial = (
        tried & (pace < TRIAL_PACE_SPLIT),
        tried & (pace >= TRIAL_PACE_SPLIT),
    )
    how_to = _capped(gaps["how_to_tickets"], TICKET_CAP)
    bugs = _capped(gaps["bug_tickets"], 2)
    unmet = _capped(gaps["feature_request_tickets"] + gaps["complaint_tickets"], TICKET_CAP)
    renewal_in_days = gaps["renewal_in_days"]

    training = (
        1.5 * _flag(trying)
        + 1.5 * _flag(sporadic)
        + HOW_TO_TICKET_WEIGHT * how_to
        + 0.5 * bugs
        + TRAINING_NOTE_WEIGHT * _notes(gaps, "training")
        + TRIAL_PACE_WEIGHT * _flag(light_trial)
    )
    product_fit = (
        1.5 * _flag(abandoned & ~sporadic)
        + 1.0 * unmet
        + 0.5 * _capped(gaps["negative_feature_notes"], 2)
        + 1.0 * _notes(gaps, "product_fit")
        + 0.5 * _capped(gaps["negative_account_notes"], 1)
        + 1.0 * _flag((gaps["use_case_peer_rate"] < LOW_USE_CASE_PEER_RATE) & ~never)
        + TRIAL_PACE_WEIGHT * _flag(serious_trial)
    )
    urgency = (
        NEVER_USED_WEIGHT * _flag(never)
        + 1.0 * _flag(renewal_in_days.isna() | (renewal_in_days > NO_RENEWAL_PRESSURE_DAYS))
        + 1.0 * _notes(gaps, "urgency")
    )
    scores = pd.DataFrame(
        {
            "training": training,
            "product_fit": product_fit,
            "urgency": urgency,
        },
        index=gaps.index,
    )
    return scores + ROOT_CAUSE_PRIOR


def _logit(p: np.ndarray) -> np.ndarray:
    # clipped, so a certain peer rate (0 or 1) does not make the calibration infinite
    return logit(np.clip(np.asarray(p, dtype=float), 1e-3, 1 - 1e-3))


def calibrated_confidence(
    evidence_share: np.ndarray, need: np.ndarray, relevance: np.ndarray, unneeded: np.ndarray
) -> np.ndarray:
    """The chance the stated cause is right (rules.py's calibration): from the evidence share
    and the need estimate for an actionable cause, from 1 - relevance for not_relevant."""
    actionable = expit(
        CAUSE_CONFIDENCE_INTERCEPT
        + CAUSE_CONFIDENCE_SHARE_SLOPE * _logit(evidence_share)
        + CAUSE_CONFIDENCE_NEED_SLOPE * _logit(need)
    )
    not_needed = expit(
        NOT_RELEVANT_CONFIDENCE_INTERCEPT + NOT_RELEVANT_CONFIDENCE_SLOPE * _logit(1.0 - relevance)
    )
    return np.where(unneeded, not_needed, actionable)


def classify_root_causes(gaps: pd.DataFrame) -> pd.DataFrame:
    """``root_cause``, ``root_cause_confidence`` and ``evidence_share`` for each gap.

    not_relevant when the relevance estimate is below the cut-off for the account's own use of
    the feature (relevance.py: lower when it tried the feature) and nothing shows a need (a
    how-to, feature-request or complaint ticket, a note on training, fit or timing), or a CSM
    note says it does not apply and relevance is not clear; its evidence share is then
    max(1 - relevance, 0.5). Otherwise the cause with the most evidence among ACTIONABLE_CAUSES
    (ties: listed order), its evidence share the winner's share of all points. The confidence
    is the calibrated chance that the stated cause is right (``calibrated_confidence``).
    """
    scores = cause_scores(gaps)[list(ACTIONABLE_CAUSES)]
    values = scores.to_numpy()
    winner = values.argmax(axis=1)  # first maximum, so ties follow the listed order
    share = values.max(axis=1) / values.sum(axis=1)
    relevance = gaps["relevance"].fillna(1.0).to_numpy()
    said_unneeded = _notes(gaps, "not_relevant") > 0
    # Asking how to use it, asking for more of it or writing about it shows the account needs it.
    shows_need = (
        gaps[["how_to_tickets", "feature_request_tickets", "complaint_tickets"]]
        .sum(axis=1)
        .to_numpy()
        + sum(_notes(gaps, cause) for cause in ACTIONABLE_CAUSES)
    ) > 0
    use = own_use(gaps)
    below_cutoff = relevance < not_relevant_cutoff(use)
    unneeded = (below_cutoff & ~shows_need) | (said_unneeded & (relevance < CLEARLY_NEEDED))
    causes = np.where(unneeded, "not_relevant", np.array(ACTIONABLE_CAUSES)[winner])
    share = np.where(unneeded, np.maximum(1.0 - relevance, 0.5), share)
    need = need_probability(gaps["relevance"], use).to_numpy()
    confidence = calibrated_confidence(share, need, relevance, unneeded)
    return pd.DataFrame(
        {
            "root_cause": causes,
            "root_cause_confidence": np.round(confidence, 4),
            "evidence_share": np.round(share, 4),
        },
        index=gaps.index,
    )

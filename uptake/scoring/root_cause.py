"""Root cause of a gap: the fitted model decides, the hand-weighted rule is its baseline.

The model (cause_model.py, ``ml/root_cause.toml``) gives each cause's probability from the
gap's observable signals. The hand-weighted rule it replaced stays beside it: each cause starts
at ROOT_CAUSE_PRIOR and gains points from its signals (docs/scoring.md has the table), the
largest wins, and the winner's share of all points (``rule_evidence_share``: 1/3 means no
evidence either way) says how one-sided the evidence is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.scoring.cause_model import NOT_A_GAP, CauseModel
from uptake.scoring.relevance import not_relevant_cutoff, own_use
from uptake.scoring.rules import (
    ACTIONABLE_CAUSES,
    CLEARLY_NEEDED,
    HOW_TO_TICKET_WEIGHT,
    LIKELY_NO_GAP_PROBABILITY,
    LOW_USE_CASE_PEER_RATE,
    NEVER_USED_WEIGHT,
    NO_RENEWAL_PRESSURE_DAYS,
    ROOT_CAUSE_PRIOR,
    ROOT_CAUSES,
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
    renewal_in_days = pd.to_numeric(gaps["renewal_in_days"], errors="coerce")

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


def shows_need(gaps: pd.DataFrame) -> np.ndarray:
    """Asking how to use it, asking for more of it, complaining about it or a CSM note on
    training, fit or timing: the account has shown it needs the feature. The rule never calls
    such a gap not_relevant; the model needs a clearer case for it
    (``not_relevant_threshold_if_need_shown``)."""
    asked = gaps[["how_to_tickets", "feature_request_tickets", "complaint_tickets"]].fillna(0)
    noted = sum(_notes(gaps, cause) for cause in ACTIONABLE_CAUSES)
    return (asked.sum(axis=1).to_numpy() + noted) > 0


def rule_root_causes(gaps: pd.DataFrame) -> pd.DataFrame:
    """The hand-weighted rule, kept as the baseline of the fitted model (``rule_cause``,
    ``rule_evidence_share``).

    not_relevant when the relevance estimate is below the cut-off for the account's own use of
    the feature (relevance.py: lower when it tried the feature) and nothing shows a need (a
    how-to, feature-request or complaint ticket, a note on training, fit or timing), or a CSM
    note says it does not apply and relevance is not clear; its evidence share is then
    max(1 - relevance, 0.5). Otherwise the cause with the most evidence among ACTIONABLE_CAUSES
    (ties: listed order), its evidence share the winner's share of all points.
    """
    scores = cause_scores(gaps)[list(ACTIONABLE_CAUSES)]
    values = scores.to_numpy()
    winner = values.argmax(axis=1)  # first maximum, so ties follow the listed order
    share = values.max(axis=1) / values.sum(axis=1)
    relevance = pd.to_numeric(gaps["relevance"], errors="coerce").fillna(1.0).to_numpy(float)
    said_unneeded = _notes(gaps, "not_relevant") > 0
    below_cutoff = relevance < not_relevant_cutoff(own_use(gaps))
    unneeded = (below_cutoff & ~shows_need(gaps)) | (said_unneeded & (relevance < CLEARLY_NEEDED))
    causes = np.where(unneeded, "not_relevant", np.array(ACTIONABLE_CAUSES)[winner])
    share = np.where(unneeded, np.maximum(1.0 - relevance, 0.5), share)
    return pd.DataFrame(
        {"rule_cause": causes, "rule_evidence_share": np.round(share, 4)}, index=gaps.index
    )


def classify_root_causes(gaps: pd.DataFrame, model: CauseModel) -> pd.DataFrame:
    """``root_cause`` and ``root_cause_confidence`` from the fitted model, the signals behind
    the call (``cause_signals``, for the evidence), the model's probability that the pair is a
    real gap (``gap_probability``: training, product fit or urgency; priority reads it), whether
    it is likely no gap at all (``is_likely_no_gap``: adopted or still early more likely than
    LIKELY_NO_GAP_PROBABILITY; severity makes it info) and the hand-weighted rule's answer.

    Among the causes alone (their probabilities renormalised, the pair taken to be a gap):
    not_relevant when its share exceeds the model's threshold (a higher one when the account
    has shown a need, ``shows_need``), otherwise the most probable of ACTIONABLE_CAUSES. The
    confidence is the model's own probability of the stated cause, which also allows for the
    pair being no gap: the chance the call is right (fitted on planted causes; the evaluation
    measures its calibration).
    """
    values = model.read(gaps)  # the signals, computed once for both uses
    probabilities = model.probabilities_of(values, gaps.index)
    causes_only = probabilities[list(ROOT_CAUSES)]
    conditional = causes_only.div(causes_only.sum(axis=1), axis=0)
    best = np.array(ACTIONABLE_CAUSES)[conditional[list(ACTIONABLE_CAUSES)].to_numpy().argmax(1)]
    # A shown need (a how-to ticket, a note on training) raises the bar, it does not close it:
    # on the development seeds such signals were also noise on unneeded features.
    bar = np.where(
        shows_need(gaps), model.not_relevant_threshold_if_need_shown, model.not_relevant_threshold
    )
    unneeded = conditional["not_relevant"].to_numpy() > bar
    causes = pd.Series(np.where(unneeded, "not_relevant", best), index=gaps.index)
    confidence = causes_only.to_numpy()[
        np.arange(len(gaps)), [ROOT_CAUSES.index(cause) for cause in causes]
    ]
    decided = pd.DataFrame(
        {
            "root_cause": causes,
            "root_cause_confidence": np.round(confidence, 4),
            "cause_signals": [", ".join(top) for top in model.top_signals(values, causes)],
            "gap_probability": np.round(probabilities[list(ACTIONABLE_CAUSES)].sum(axis=1), 4),
            "is_likely_no_gap": probabilities[NOT_A_GAP] > LIKELY_NO_GAP_PROBABILITY,
        },
        index=gaps.index,
    )
    return decided.join(rule_root_causes(gaps))

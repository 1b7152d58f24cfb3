"""Relevance: how much the account's peers use a feature the account has not adopted.

The share of the other accounts with the same primary use case, entitled to the feature, that
adopted it (use_case_peer_rate, self excluded, from dbt). When the account has no use case (an
export may leave it empty for everyone) or its use case has fewer than MIN_PEERS such peers, the
accounts on its plan stand in (plan_peer_rate). The fitted root-cause model reads relevance as
one of its signals and decides not_relevant (root_cause.py); the cut-offs below are those of the
hand-weighted rule, its baseline, and the need below weighs the priority. Below the cut-off
the rule judges the feature unneeded: its gap is kept for measurement, never pushed. The cut-off
depends on the account's own trace: an account that tried the feature (trying, abandoned) has
shown it wanted it, so only a feature its peers almost never adopt is judged unneeded; one that
never touched it has only its peers to speak for it.

Tuned on the development seeds only (benchmarks/bench_quality.py --split dev, docs/scoring.md):
one cut-off for all was flat between 0.25 and 0.35; split by the account's own use, 0.15 (tried)
and 0.45 (never used) raised flagged-gap F1 on every development seed. A mixture estimate of
P(needed | not adopted) from the same peer rates did worse there and was not kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uptake.scoring.rules import STRAY_USE_MAX_EVENTS

MIN_PEERS = 4  # fewer peers than this in the use case: use the plan's peers instead
NOT_RELEVANT_BELOW_IF_TRIED = 0.15  # the account tried it (trying, abandoned)
NOT_RELEVANT_BELOW_IF_NEVER_USED = 0.45  # no user of the account ever used it
# How much an attempt multiplies the odds that the account needs the feature, for ranking only.
# The development seeds suggest more (among tried gaps at peer rates 0.1-0.2, 39 of 70 were
# real against 8 of 85 never-used ones), but from about 2.7 up the four-accounts worked example
# breaks: its engaged account's two tried features (peer rate 0.33) outrank the under-used
# account's gaps, which the example ranks first (docs/scoring.md, "Impact and priority").
TRIED_NEED_ODDS_FACTOR = 2.0


def own_use(gaps: pd.DataFrame) -> pd.Series:
    """The account's own use of each gap's feature: its adoption_status, except that a feature
    used at most STRAY_USE_MAX_EVENTS times in all its history counts as never_used (a stray
    click is not an attempt; on the development seeds such gaps were as often unneeded or
    untouched urgency gaps as struggling ones)."""
    events = pd.to_numeric(gaps["events_to_date"], errors="coerce").fillna(0)
    stray = gaps["adoption_status"].ne("never_used") & (events <= STRAY_USE_MAX_EVENTS)
    return gaps["adoption_status"].mask(stray, "never_used")


def not_relevant_cutoff(adoption_status: pd.Series) -> np.ndarray:
    """The relevance below which a gap is judged unneeded, by the account's own use of it
    (``own_use``: a stray click counts as never used)."""
    never_used = (adoption_status == "never_used").to_numpy()
    return np.where(never_used, NOT_RELEVANT_BELOW_IF_NEVER_USED, NOT_RELEVANT_BELOW_IF_TRIED)


def need_probability(relevance: pd.Series, adoption_status: pd.Series) -> pd.Series:
    """How likely the account needs the feature, for ranking: the peer rate, raised for a
    feature the account tried (``own_use`` trying or abandoned) by multiplying its odds by
    TRIED_NEED_ODDS_FACTOR. The peers speak for a feature the account never touched; an attempt
    is the account's own evidence of need, stronger than what its peers do. A missing relevance
    (no peers) is 1, as in ``estimate_relevance``."""
    rate = pd.to_numeric(relevance, errors="coerce").fillna(1.0).clip(0.0, 1.0)
    tried = adoption_status.ne("never_used").to_numpy()
    raised = rate * TRIED_NEED_ODDS_FACTOR / (rate * TRIED_NEED_ODDS_FACTOR + 1.0 - rate)
    return rate.where(~tried, raised)


def estimate_relevance(gaps: pd.DataFrame) -> pd.DataFrame:
    """relevance (peer adoption rate) and relevance_basis ('use_case', 'plan' or 'none')."""
    peers = pd.to_numeric(gaps["use_case_peers"], errors="coerce").fillna(0)
    by_use_case = pd.to_numeric(gaps["use_case_peer_rate"], errors="coerce")
    by_plan = pd.to_numeric(gaps["plan_peer_rate"], errors="coerce")
    use_case_ok = by_use_case.notna() & (peers >= MIN_PEERS)
    relevance = by_use_case.where(use_case_ok, by_plan)
    basis = np.where(use_case_ok, "use_case", np.where(by_plan.notna(), "plan", "none"))
    # No peers to compare with at all: nothing says the account does not need it.
    return pd.DataFrame(
        {"relevance": relevance.fillna(1.0).astype(float).round(4), "relevance_basis": basis},
        index=gaps.index,
    )

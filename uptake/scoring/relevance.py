"""Relevance: the chance a feature the account has not adopted is one it needs at all.

Estimated from the company's own peer structure, with no labels and no hand-set cut-off.
Accounts of one use case need a feature with some probability r; an account that needs it adopts
it with probability a. Peers then adopt at q = r * a. Where the feature is needed by everyone,
q = a, so the use case adopting it most (best_use_case_adoption_rate, groups of at least
min_cohort_size accounts) estimates a. Then r = q / a and, for an account that has not adopted:

    P(needed | not adopted) = r * (1 - a) / (1 - q)

When the account has no use case (an export may leave it empty for everyone) or its use case has
too few peers, the plan's peers stand in (plan_peer_rate against best_plan_adoption_rate). A
gap is judged not relevant when P(needed | not adopted) < 0.5: more likely unneeded than needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_PEERS = 4  # fewer peers than this in the use case: use the plan's peers instead
NOT_RELEVANT_BELOW = 0.5


def needed_probability(rate: pd.Series, reach: pd.Series) -> pd.Series:
    """P(needed | not adopted) from the peer adoption rate q and the feature's reach a."""
    q = pd.to_numeric(rate, errors="coerce").astype(float).clip(0.0, 1.0)
    a = pd.to_numeric(reach, errors="coerce").astype(float)
    a = a.where(a > 0).clip(upper=1.0)
    needed_share = (q / a).clip(upper=1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = needed_share * (1.0 - a) / (1.0 - q)
    # Everyone needs it and everyone who needs it adopts it (a = q = 1): a gap here is needed.
    p = p.where(~((a >= 1.0) & (q >= 1.0)), 1.0)
    return p.clip(0.0, 1.0)


def estimate_relevance(gaps: pd.DataFrame) -> pd.DataFrame:
    """relevance (P(needed | not adopted)) and relevance_basis ('use_case', 'plan' or 'none')."""
    peers = pd.to_numeric(gaps["use_case_peers"], errors="coerce").fillna(0)
    by_use_case = needed_probability(
        gaps["use_case_peer_rate"], gaps["best_use_case_adoption_rate"]
    )
    by_plan = needed_probability(gaps["plan_peer_rate"], gaps["best_plan_adoption_rate"])
    use_case_ok = by_use_case.notna() & (peers >= MIN_PEERS)
    relevance = by_use_case.where(use_case_ok, by_plan)
    basis = np.where(use_case_ok, "use_case", np.where(by_plan.notna(), "plan", "none"))
    # No peers to learn from at all: nothing says it is unneeded.
    return pd.DataFrame(
        {"relevance": relevance.fillna(1.0).round(4), "relevance_basis": basis}, index=gaps.index
    )

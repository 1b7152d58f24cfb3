"""Relevance: how much the account's peers use a feature the account has not adopted.

The share of the other accounts with the same primary use case, entitled to the feature, that
adopted it (use_case_peer_rate, self excluded, from dbt). When the account has no use case (an
export may leave it empty for everyone) or its use case has fewer than MIN_PEERS such peers, the
accounts on its plan stand in (plan_peer_rate). Below NOT_RELEVANT_BELOW the account most likely
does not need the feature: its gap is kept for measurement, never pushed.

Tuned on the development seeds only (benchmarks/bench_quality.py --split dev): flagged-gap F1
was flat between 0.25 and 0.35 and fell on either side. A mixture estimate of P(needed | not
adopted) from the same peer rates did worse there (docs/evaluation.md) and was not kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_PEERS = 4  # fewer peers than this in the use case: use the plan's peers instead
NOT_RELEVANT_BELOW = 0.3


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

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
# How the peers' use rate relates to their adoption rate where both are measured on dozens of
# peers: the median ratio of their odds on the thirty-six development homes (2.46; e.g. an
# adoption rate of 0.5 goes with a use rate of about 0.71). Stands in for the use rate of a
# group too small to measure it (``peer_use_rate``).
USE_ODDS_PER_ADOPTION_ODDS = 2.5


def own_use(gaps: pd.DataFrame) -> pd.Series:
    """The account's own use of each gap's feature: its adoption_status, except that a feature
    used at most STRAY_USE_MAX_EVENTS times in all its history counts as never_used (a stray
    click is not an attempt; on the development seeds such gaps were as often unneeded or
    untouched urgency gaps as struggling ones)."""
    events = pd.to_numeric(gaps["events_to_date"], errors="coerce").fillna(0)
    stray = gaps["adoption_status"].ne("never_used") & (events <= STRAY_USE_MAX_EVENTS)
    return gaps["adoption_status"].mask(stray, "never_used")


def adopted_before(gaps: pd.DataFrame) -> pd.Series:
    """Whether the adoption rule held for the pair on some day before (``first_adopted_date``
    set): every gap is a feature not adopted now, so this is an adoption that lapsed."""
    return pd.to_datetime(gaps["first_adopted_date"]).notna()


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
    return rate.where(~tried, _odds_times(rate, TRIED_NEED_ODDS_FACTOR))


def peer_use_rate(gaps: pd.DataFrame, relevance: pd.Series) -> pd.Series:
    """The share of the account's peers that found some use for the feature (dbt's
    use_case_peer_use_rate: adopted, or more than a stray click), for the root-cause model.
    Below MIN_PEERS use-case peers the plan's peers stand in. Below MIN_PEERS of those too, a
    use rate over two or three accounts moves in steps of a third or more, which the model,
    fitted where use cases have dozens of accounts, reads as a use case that half ignores the
    feature or wholly needs it; so the rate is the one ``relevance`` (the peers' adoption rate)
    implies, USE_ODDS_PER_ADOPTION_ODDS times its odds, and adds nothing the model does not
    already read (docs/scoring.md)."""
    by_use_case = pd.to_numeric(gaps["use_case_peer_use_rate"], errors="coerce")
    by_plan = pd.to_numeric(gaps["plan_peer_use_rate"], errors="coerce")
    use_case_ok = by_use_case.notna() & (_count(gaps, "use_case_peers") >= MIN_PEERS)
    plan_ok = by_plan.notna() & (_count(gaps, "plan_peers") >= MIN_PEERS)
    adoption = pd.to_numeric(relevance, errors="coerce").fillna(1.0).clip(0.0, 1.0)
    implied = _odds_times(adoption, USE_ODDS_PER_ADOPTION_ODDS).astype(float)
    rate = by_use_case.where(use_case_ok, by_plan.where(plan_ok, implied))
    return rate.astype(float).clip(0.0, 1.0)


def _odds_times(rate: pd.Series, factor: float) -> pd.Series:
    """The rate whose odds are ``factor`` times those of ``rate`` (0 stays 0, 1 stays 1)."""
    return rate * factor / (rate * factor + 1.0 - rate)


def _count(gaps: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(gaps[column], errors="coerce").fillna(0)


def estimate_relevance(gaps: pd.DataFrame) -> pd.DataFrame:
    """relevance (peer adoption rate), relevance_basis ('use_case', 'plan' or 'none') and
    peer_use_rate (``peer_use_rate``)."""
    by_use_case = pd.to_numeric(gaps["use_case_peer_rate"], errors="coerce")
    by_plan = pd.to_numeric(gaps["plan_peer_rate"], errors="coerce")
    use_case_ok = by_use_case.notna() & (_count(gaps, "use_case_peers") >= MIN_PEERS)
    relevance = by_use_case.where(use_case_ok, by_plan)
    basis = np.where(use_case_ok, "use_case", np.where(by_plan.notna(), "plan", "none"))
    # No peers to compare with at all: nothing says the account does not need it.
    return pd.DataFrame(
        {
            "relevance": relevance.fillna(1.0).astype(float).round(4),
            "relevance_basis": basis,
            "peer_use_rate": peer_use_rate(gaps, relevance.fillna(1.0)).round(4),
        },
        index=gaps.index,
    )

"""Scoring: churn risk per account, root cause, impact, severity and actions per gap, alerts.

``score_all`` writes marts.account_scores, marts.adoption_gaps and marts.adoption_alerts.
It imports MLflow, so the import is lazy (DAG files stay light at parse time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uptake.scoring.run import ScoringSummary, score_all

__all__ = ["ScoringSummary", "score_all"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from uptake.scoring import run

        return getattr(run, name)
    raise AttributeError(name)

"""Three gaps of one price and different needs, for the priority tests (scoring and replay)."""

from __future__ import annotations

import pandas as pd


def impact_inputs() -> pd.DataFrame:
    """Same ARR, churn and depth share; far from renewal / at renewal (premium) / far; peers 1,
    0.5, 0.5 (the third tried it); the model's probability of a real gap 1, 0.5, 0.96."""
    return pd.DataFrame(
        {
            "arr": [100_000.0, 100_000.0, 100_000.0],
            "churn_probability": [0.3, 0.3, 0.3],
            "category": ["core", "premium", "core"],
            "value_weight": [2.0, 2.0, 2.0],
            "renewal_in_days": [400, 0, 400],
            "relevance": [1.0, 0.5, 0.5],
            "adoption_status": ["never_used", "never_used", "trying"],
            "events_to_date": [0, 0, 40],
            "gap_probability": [1.0, 0.5, 0.96],
        }
    )

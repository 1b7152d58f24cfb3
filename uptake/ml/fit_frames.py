"""Training frames a scikit-learn booster can bin.

A numeric column empty in every training row (an optional CRM field no account filled, or usage
signals of a company whose events matched nothing) carries nothing to learn, yet scikit-learn's
histogram booster fails on it ("window shape cannot be larger than input array shape"). Fitted
as a constant 0 it is never split on, so scoring rows, empty there too, score the same; a frame
with no such column is returned unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def fill_empty_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each of ``columns`` that holds no value at all set to 0."""
    empty = [column for column in columns if frame[column].isna().all()]
    if not empty:
        return frame
    filled = frame.copy()
    filled[empty] = 0.0
    return filled

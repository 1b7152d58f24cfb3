"""A column empty in every training row (no usage signal, no use case) is fitted as a constant:
scikit-learn's histogram booster cannot bin it, and both churn candidates must still train."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uptake.ml import churn
from uptake.ml.fit_frames import fill_empty_columns
from uptake.ml.model_specs import load_churn_spec
from uptake.settings import get_settings


def test_only_columns_empty_everywhere_are_filled_and_the_input_is_kept() -> None:
    frame = pd.DataFrame({"a": [np.nan, np.nan], "b": [1.0, np.nan], "c": [np.nan, np.nan]})
    filled = fill_empty_columns(frame, ["a", "b"])
    assert filled["a"].tolist() == [0.0, 0.0]
    assert filled["b"].isna().tolist() == [False, True]  # partly empty: the booster's NaN path
    assert filled["c"].isna().all()  # not asked for
    assert frame["a"].isna().all()  # the caller's frame is not changed
    full = pd.DataFrame({"a": [1.0]})
    assert fill_empty_columns(full, ["a"]) is full


def _renewals(rows: int = 240) -> pd.DataFrame:
    spec = load_churn_spec(get_settings({}))
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({name: rng.random(rows) for name in spec.features})
    frame["label"] = (frame["adoption_depth_pct"] + 0.3 * rng.random(rows) < 0.5).astype(int)
    frame["close_date"] = pd.date_range("2024-01-01", periods=rows, freq="D")
    return frame


def test_churn_candidates_train_when_a_signal_is_empty_for_every_account() -> None:
    spec = load_churn_spec(get_settings({}))
    assert "hist_gradient_boosting" in spec.candidates
    train = _renewals()
    train["usage_trend_30d"] = np.nan  # events that matched no account: no trend anywhere
    booster = spec.with_estimator("hist_gradient_boosting")
    model, _ = churn.build_estimator(booster, train["label"])
    with pytest.raises(ValueError):
        model.fit(train[list(spec.features)].astype(float), train["label"])

    chosen, scores = churn.select_estimator(spec, train, "close_date")

    assert set(scores) == set(spec.candidates)
    assert all(0.5 < score <= 1 for score in scores.values())
    assert chosen.estimator in spec.candidates

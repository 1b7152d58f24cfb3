"""A column with no value in the rows a booster is fitted on (no usage signal, no use case, or
none in one calibration fold) is fitted as a constant: scikit-learn's histogram booster cannot
bin it, and both churn candidates must still train."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from uptake.ml import churn
from uptake.ml.fit_frames import EmptyColumnsAsZero
from uptake.ml.model_specs import load_churn_spec
from uptake.settings import get_settings


def test_only_columns_empty_where_it_was_fitted_become_zero() -> None:
    fitted = pd.DataFrame({"a": [np.nan, np.nan], "b": [1.0, np.nan], "c": [2.0, 3.0]})
    step = EmptyColumnsAsZero().fit(fitted)
    assert step.feature_names_in_.tolist() == ["a", "b", "c"]
    later = pd.DataFrame({"a": [5.0, np.nan], "b": [np.nan, 4.0], "c": [np.nan, 1.0]})
    out = step.transform(later)
    assert out[:, 0].tolist() == [0.0, 0.0]  # empty at fit: a constant, whatever comes later
    assert np.isnan(out[0, 1]) and out[1, 1] == 4.0  # partly empty: the booster's NaN path
    assert np.isnan(out[0, 2])
    assert np.isnan(later.loc[1, "a"])  # the caller's frame is not changed


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
    with pytest.raises(ValueError):  # the booster alone
        HistGradientBoostingClassifier().fit(train[list(spec.features)], train["label"])

    chosen, scores = churn.select_estimator(spec, train, "close_date")

    assert set(scores) == set(spec.candidates)
    assert all(0.5 < score <= 1 for score in scores.values())
    assert chosen.estimator in spec.candidates


def test_churn_trains_when_a_signal_is_filled_only_in_the_earliest_renewals() -> None:
    # Calibration refits the booster on time-ordered folds: a fold with no value of a signal
    # crashed it although the training rows as a whole had some.
    spec = load_churn_spec(get_settings({}))
    train = _renewals()
    train.loc[train.index >= len(train) // 4, "usage_trend_30d"] = np.nan
    booster = spec.with_estimator("hist_gradient_boosting")
    model, params = churn.build_estimator(booster, train["label"])
    assert params["calibrated"]
    model.fit(train[list(spec.features)].astype(float), train["label"])
    probability = churn.churn_probability(model, train)
    assert np.isfinite(probability).all() and 0 < probability.mean() < 1

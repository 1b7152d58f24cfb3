"""Churn estimator selection on a time-based validation split of the training rows only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from uptake.ml.churn import select_estimator
from uptake.ml.model_specs import load_churn_spec
from uptake.settings import get_settings


def _rows(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "close_date": pd.date_range("2024-01-01", periods=n, freq="D"),
            "license_utilization": rng.random(n),
            "usage_trend_30d": rng.normal(0, 0.3, n),
            "adoption_depth_pct": rng.random(n) * 100,
            "weighted_depth_pct": rng.random(n) * 100,
            "tickets_30d": rng.poisson(1, n),
            "bug_tickets_30d": rng.poisson(0.5, n),
            "how_to_tickets_30d": rng.poisson(0.5, n),
            "interventions_90d": rng.poisson(0.2, n),
        }
    )
    # A threshold effect a linear model cannot draw: churn when utilization is in the middle.
    middle = (frame["license_utilization"] > 0.35) & (frame["license_utilization"] < 0.65)
    frame["label"] = (middle ^ (rng.random(n) < 0.1)).astype(int)
    return frame


def test_the_candidate_that_validates_best_is_chosen_and_the_choice_is_repeatable() -> None:
    spec = load_churn_spec(get_settings({}))
    assert set(spec.candidates) == {"logistic_regression", "hist_gradient_boosting"}
    chosen, scores = select_estimator(spec, _rows(), "close_date")
    assert set(scores) == set(spec.candidates)
    assert chosen.estimator == "hist_gradient_boosting"
    assert scores["hist_gradient_boosting"] > scores["logistic_regression"]
    assert chosen.estimator_params == spec.params_by_estimator["hist_gradient_boosting"]
    again, scores_again = select_estimator(spec, _rows(), "close_date")
    assert (again.estimator, scores_again) == (chosen.estimator, scores)


def test_one_candidate_or_one_class_keeps_the_spec() -> None:
    spec = load_churn_spec(get_settings({}))
    single = replace(spec, candidates=("logistic_regression",))
    assert select_estimator(single, _rows(), "close_date") == (single, {})
    one_class = _rows().assign(label=0)
    assert select_estimator(spec, one_class, "close_date") == (spec, {})

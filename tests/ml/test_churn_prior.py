"""The cross-company churn prior: fit, file round trip, checks, and the scorer built on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from uptake.ml.churn_prior import (
    CHURN_PRIOR,
    PRIOR_LOOKBACK_DAYS,
    ChurnPriorError,
    fit_churn_prior,
    load_churn_prior,
    prior_toml,
    prior_training_rows,
)
from uptake.ml.model_specs import load_churn_spec
from uptake.ml.predict import prior_churn_scorer, rescaled_logit
from uptake.settings import get_settings

FEATURES = ("license_utilization", "tickets_90d")
LOGGED = ("tickets_90d",)
CLIPPED = {"license_utilization": (0.0, 1.0)}


def _rows(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """Churn follows low utilization and many tickets, as a known logistic law."""
    rng = np.random.default_rng(seed)
    utilization = rng.uniform(0, 1, n)
    tickets = rng.poisson(3, n)
    logit = -1.0 - 3.0 * (utilization - 0.5) + 1.2 * np.log1p(tickets)
    label = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {"license_utilization": utilization, "tickets_90d": tickets, "label": label.astype(int)}
    )


def test_the_fit_finds_the_directions_and_round_trips_through_its_file(tmp_path: Path) -> None:
    rows = _rows()
    prior = fit_churn_prior(rows, FEATURES, LOGGED, version="t", clip=CLIPPED)
    assert prior.coef[0] < 0 < prior.coef[1]  # utilization protects, tickets hurt
    path = tmp_path / "churn_prior.toml"
    path.write_text(prior_toml(prior, {"fitted_on": "test rows"}))
    again = load_churn_prior(path)
    assert again.features == FEATURES and again.log_features == LOGGED
    assert again.clip == CLIPPED
    np.testing.assert_allclose(again.probability(rows), prior.probability(rows), rtol=1e-5)
    # Fitting twice on the same rows writes the same file.
    twice = fit_churn_prior(rows, FEATURES, LOGGED, version="t", clip=CLIPPED)
    assert prior_toml(twice, {"fitted_on": "test rows"}) == path.read_text()


def test_counts_are_read_on_a_log_scale_clipped_ones_within_bounds_empty_ones_as_the_mean():
    prior = fit_churn_prior(_rows(), FEATURES, LOGGED, version="t", clip=CLIPPED)
    frame = pd.DataFrame({"license_utilization": [0.5, 40.0, np.nan], "tickets_90d": [0, 9, None]})
    standardised = prior.standardised(frame)
    assert standardised[1, 1] == pytest.approx((np.log1p(9) - prior.mean[1]) / prior.scale[1])
    assert standardised[1, 0] == pytest.approx((1.0 - prior.mean[0]) / prior.scale[0])
    assert standardised[2].tolist() == [0.0, 0.0]  # empty: the fit's mean
    assert np.isfinite(prior.probability(frame)).all()


def test_a_missing_column_is_named() -> None:
    prior = fit_churn_prior(_rows(), FEATURES, LOGGED, version="t")
    with pytest.raises(ChurnPriorError, match="tickets_90d"):
        prior.probability(pd.DataFrame({"license_utilization": [0.3]}))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("intercept", "icept"), "missing key 'intercept'"),
        (lambda text: text.replace('version = "t"\n', ""), "missing key 'version'"),
        (lambda text: text.replace("coef = [", "coef = [1, "), "one value per feature"),
        (
            lambda text: text.replace('log_features = ["tickets_90d"]', 'log_features = ["x"]'),
            r"not among the features: \['x'\]",
        ),
        (
            lambda text: text.replace("license_utilization = [0, 1]", "seats = [0, 1]"),
            r"not among the features: \['seats'\]",
        ),
        (
            lambda text: text.replace(
                "license_utilization = [0, 1]", "license_utilization = [1, 0]"
            ),
            "low < high",
        ),
        (
            lambda text: text.replace("license_utilization = [0, 1]", "license_utilization = 3"),
            r"not a number or a \[low, high\] pair",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_what_is_wrong(tmp_path: Path, edit, message) -> None:
    prior = fit_churn_prior(_rows(), FEATURES, LOGGED, version="t", clip=CLIPPED)
    path = tmp_path / "churn_prior.toml"
    assert edit(prior_toml(prior, {})) != prior_toml(prior, {})
    path.write_text(edit(prior_toml(prior, {})))
    with pytest.raises(ChurnPriorError, match=message):
        load_churn_prior(path)
    with pytest.raises(ChurnPriorError, match="no churn prior at"):
        load_churn_prior(tmp_path / "absent.toml")
    path.write_text('version = "t"\n[fitted\n')
    with pytest.raises(ChurnPriorError, match=r"churn_prior\.toml: not valid TOML"):
        load_churn_prior(path)


def test_the_scorer_keeps_the_prior_ranking_at_this_company_churn_rate() -> None:
    prior = fit_churn_prior(_rows(seed=3), FEATURES, LOGGED, version="t")
    history = _rows(n=300, seed=4)
    history["label"] = (np.random.default_rng(5).random(len(history)) < 0.1).astype(int)
    scorer = prior_churn_scorer(prior, history)
    assert (scorer.model_name, scorer.model_version, scorer.features) == (
        CHURN_PRIOR,
        "t",
        FEATURES,
    )
    frame = _rows(n=200, seed=6)
    scaled = scorer.predict(frame)
    assert spearmanr(scaled, prior.probability(frame)).statistic == pytest.approx(1.0)
    # The pooled companies churn far more often than this one: the scaling follows this one.
    assert prior.probability(frame).mean() > 0.4 and abs(scaled.mean() - 0.1) < 0.05
    # This history's outcomes are unrelated to the prior (Platt's slope comes out negative):
    # a shift to the company's churn rate, never an inverted ranking.
    logit = np.log(prior.probability(history) / (1 - prior.probability(history)))
    slope, shift = rescaled_logit(logit, history["label"])
    assert slope == 1.0
    assert (1 / (1 + np.exp(-(logit + shift)))).mean() == pytest.approx(history["label"].mean())
    # A history that follows the prior keeps Platt's fit.
    follows = history.assign(label=(logit > np.quantile(logit, 0.8)).astype(int))
    assert rescaled_logit(logit, follows["label"])[0] > 1.0
    # One outcome only in the history: the prior's own probabilities.
    one_class = history.assign(label=0)
    np.testing.assert_allclose(
        prior_churn_scorer(prior, one_class).predict(frame), prior.probability(frame)
    )


def test_the_prior_learns_from_every_lookback_up_to_a_year() -> None:
    """Scoring reads today's snapshot for renewals up to a year ahead, so each closed renewal
    gives a row per lookback: the latest snapshot at or before close - lookback, never later."""
    spec = load_churn_spec(get_settings({}))
    snapshot_dates = pd.date_range("2025-01-01", "2025-12-31", freq="30D")
    snapshots = pd.DataFrame(
        {
            "account_id": "A",
            "snapshot_date": snapshot_dates,
            **{feature: 0.5 for feature in spec.features},
        }
    )
    renewals = pd.DataFrame(
        {
            "renewal_id": ["R1"],
            "account_id": ["A"],
            "close_date": ["2025-12-31"],
            "is_closed": [True],
            "is_churned": [False],
            "renewal_type": ["renewal"],
        }
    )
    rows = prior_training_rows(renewals, snapshots, spec, date(2026, 1, 1))
    assert set(rows["lookback_days"]) <= set(PRIOR_LOOKBACK_DAYS)
    assert len(rows) == len(PRIOR_LOOKBACK_DAYS) > 1  # snapshots 30 days apart: one each
    close = pd.Timestamp("2025-12-31")
    cutoffs = close - pd.to_timedelta(rows["lookback_days"], unit="D")
    assert (pd.to_datetime(rows["snapshot_date"]) <= cutoffs).all()
    assert rows["snapshot_date"].is_unique

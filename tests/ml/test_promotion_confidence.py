"""The churn gate's bootstrap win share against the rule baseline: pure functions, no MLflow."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from uptake.ml.evaluate import roc_auc_win_share, weighted_roc_auc
from uptake.ml.model_specs import PromotionRule, promotion_rule
from uptake.ml.promotion import champion_retirement, decide_promotion

CONFIDENT = PromotionRule("roc_auc", min_value=0.5, baseline_confidence=0.9)


def _holdout(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    return labels, rng.normal(0.0, 1.0, rows)


def test_weighted_auc_equals_sklearn_with_sample_weights_and_ties():
    labels, noise = _holdout(80, 1)
    scores = np.round(labels + noise, 1)  # rounded: many tied scores
    weights = np.random.default_rng(2).multinomial(80, np.full(80, 1 / 80), 5).astype(float)
    expected = [roc_auc_score(labels, scores, sample_weight=w) for w in weights]
    assert weighted_roc_auc(labels, scores, weights) == pytest.approx(expected)


def test_win_share_reads_which_score_ranks_better():
    labels, noise = _holdout(400, 3)
    strong, weak = labels + 0.5 * noise, labels + 3.0 * noise
    assert roc_auc_win_share(labels, strong, weak, 500, 0) > 0.99
    assert roc_auc_win_share(labels, weak, strong, 500, 0) < 0.01
    assert roc_auc_win_share(labels, strong, strong, 500, 0) == 0.5  # every resample a tie


def test_win_share_of_a_small_holdout_is_unsure():
    """Two equally informative scores on 60 rows: the holdout as drawn may favour either,
    the win share stays well inside (0.1, 0.9)."""
    labels, noise = _holdout(60, 4)
    other = np.random.default_rng(5).normal(0.0, 1.0, 60)
    share = roc_auc_win_share(labels, labels + noise, labels + other, 2000, 0)
    assert 0.1 < share < 0.9


def test_win_share_is_deterministic_and_undefined_with_one_class():
    labels, noise = _holdout(60, 6)
    first = roc_auc_win_share(labels, labels + noise, noise, 300, 7)
    assert first == roc_auc_win_share(labels, labels + noise, noise, 300, 7)
    assert math.isnan(roc_auc_win_share(np.zeros(10, dtype=int), noise[:10], noise[:10], 300, 7))
    assert math.isnan(roc_auc_win_share([], [], [], 300, 7))


@pytest.mark.parametrize(
    ("candidate", "baseline", "share", "promote", "reason"),
    [
        (0.80, 0.70, 0.95, True, "first model"),
        (0.80, 0.70, 0.90, True, "first model"),
        (0.80, 0.78, 0.71, False, "in 71% of 2000 bootstrap resamples of the holdout"),
        (0.80, 0.78, math.nan, False, "not the 90% required"),
        (0.70, 0.78, 0.20, False, "does not beat the rule baseline"),
    ],
)
def test_confident_gate_needs_the_win_share(candidate, baseline, share, promote, reason):
    decision = decide_promotion(CONFIDENT, candidate, baseline, None, None, share)
    assert decision.promote is promote
    assert reason in decision.reason


def test_confident_gate_without_a_win_share_is_an_error():
    with pytest.raises(ValueError, match="no win share"):
        decide_promotion(CONFIDENT, 0.8, 0.7, None, None)


def test_without_confidence_the_holdout_as_drawn_decides():
    plain = PromotionRule("roc_auc", min_value=0.5)
    assert decide_promotion(plain, 0.80, 0.78, None, None, 0.51).promote


@pytest.mark.parametrize(
    ("candidate", "prior", "champion", "promote", "reason"),
    [
        (0.80, 0.75, None, True, "first model"),
        (0.80, 0.80, None, False, "does not beat the cross-company churn prior (0.8000)"),
        (0.80, 0.85, None, False, "does not beat the cross-company churn prior (0.8500)"),
        (0.80, 0.85, 0.70, False, "does not beat the cross-company churn prior"),
        (0.80, 0.75, 0.70, True, "beats champion v1"),
        (0.80, math.nan, None, True, "first model"),  # the prior could not be scored
    ],
)
def test_the_prior_gate_asks_to_beat_the_prior_champion_or_not(
    candidate, prior, champion, promote, reason
):
    rule = PromotionRule("roc_auc", min_value=0.5, require_beat_prior=True)
    version = None if champion is None else "1"
    decision = decide_promotion(rule, candidate, 0.6, champion, version, None, prior)
    assert decision.promote is promote
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("champion", "version", "prior", "gate", "retired"),
    [
        (0.70, "3", 0.75, True, True),
        (0.75, "3", 0.75, True, True),  # a tie is not a win
        (0.80, "3", 0.75, True, False),
        (0.70, None, 0.75, True, False),  # no champion to retire
        (math.nan, "3", 0.75, True, False),  # the champion could not be scored: left in place
        (0.70, "3", math.nan, True, False),  # nor the prior
        (0.70, "3", 0.75, False, False),  # the gate is off
    ],
)
def test_a_champion_the_prior_outranks_is_retired(champion, version, prior, gate, retired):
    rule = PromotionRule("roc_auc", require_beat_prior=gate)
    reason = champion_retirement(rule, champion, version, prior)
    assert (reason is not None) is retired
    if retired:
        assert reason.startswith("champion v3 (roc_auc ") and "the prior scores" in reason


def test_without_the_prior_gate_the_prior_is_not_read():
    assert decide_promotion(PromotionRule("roc_auc"), 0.80, 0.6, None, None, None, 0.9).promote


@pytest.mark.parametrize(
    ("raw", "bootstrap", "message"),
    [
        ({"metric": "roc_auc", "baseline_confidence": 1.0}, True, r"\[0.5, 1\)"),
        ({"metric": "roc_auc", "baseline_confidence": 0.3}, True, r"\[0.5, 1\)"),
        ({"metric": "roc_auc", "baseline_confidence": "high"}, True, "must be a number"),
        ({"metric": "roc_auc", "baseline_confidence": True}, True, "must be a number"),
        ({"metric": "roc_auc", "baseline_confidence": 0.9}, False, "only read by the churn"),
        ({"metric": "macro_f1", "baseline_confidence": 0.9}, True, "only read by the churn"),
        ({"metric": "roc_auc", "bootstrap_resamples": 10}, True, "bootstrap_resamples"),
        ({"metric": "roc_auc", "bootstrap_resamples": 1e3}, True, "bootstrap_resamples"),
    ],
)
def test_malformed_confidence_is_refused_naming_the_key(raw, bootstrap, message):
    with pytest.raises(ValueError, match=message):
        promotion_rule(raw, "churn.toml", bootstrap=bootstrap)


@pytest.mark.parametrize(
    ("raw", "bootstrap", "message"),
    [
        ({"metric": "macro_f1", "require_beat_prior": True}, False, "only read by the churn"),
        ({"metric": "roc_auc", "require_beat_prior": "yes"}, True, "must be true or false"),
    ],
)
def test_malformed_prior_gate_is_refused_naming_the_key(raw, bootstrap, message):
    with pytest.raises(ValueError, match=message):
        promotion_rule(raw, "churn.toml", bootstrap=bootstrap)


def test_the_prior_gate_is_read_and_off_unless_asked():
    asked = {"metric": "roc_auc", "require_beat_prior": True}
    assert promotion_rule(asked, "churn.toml", bootstrap=True).require_beat_prior
    silent = {"metric": "roc_auc"}
    assert not promotion_rule(silent, "churn.toml", bootstrap=True).require_beat_prior


def test_confidence_is_read():
    rule = promotion_rule(
        {"metric": "roc_auc", "baseline_confidence": 0.9, "bootstrap_resamples": 500},
        "churn.toml",
        bootstrap=True,
    )
    assert (rule.baseline_confidence, rule.bootstrap_resamples) == (0.9, 500)

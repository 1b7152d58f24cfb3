"""Holdout metrics that stay defined (NaN, never an exception) on degenerate data."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    roc_auc_score,
)

NAN = float("nan")


def is_defined(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def binary_metrics(y_true: Sequence[int], probability: Sequence[float]) -> dict[str, float]:
    """roc_auc, pr_auc, brier, positive rate and rows; AUCs are NaN with one class present."""
    y = np.asarray(y_true, dtype=int)
    p = np.clip(np.asarray(probability, dtype=float), 0.0, 1.0)
    metrics = {"rows": float(len(y)), "positive_rate": float(y.mean()) if len(y) else NAN}
    if len(y) == 0:
        return metrics | {"roc_auc": NAN, "pr_auc": NAN, "brier": NAN}
    both_classes = len(np.unique(y)) == 2
    metrics["roc_auc"] = float(roc_auc_score(y, p)) if both_classes else NAN
    metrics["pr_auc"] = float(average_precision_score(y, p)) if both_classes else NAN
    metrics["brier"] = float(brier_score_loss(y, p, labels=[0, 1]))
    return metrics


def calibration_table(
    y_true: Sequence[int], probability: Sequence[float], bins: int = 5
) -> pd.DataFrame:
    """Observed churn rate per predicted-probability bin (equal width on [0, 1])."""
    frame = pd.DataFrame({"y": np.asarray(y_true, dtype=int), "p": np.asarray(probability)})
    edges = np.linspace(0.0, 1.0, bins + 1)
    frame["bin"] = pd.cut(frame["p"], edges, include_lowest=True)
    table = (
        frame.groupby("bin", observed=False)
        .agg(rows=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
        .reset_index()
    )
    table["bin"] = table["bin"].astype(str)
    return table


def classification_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    """macro F1 over the labels present in truth or prediction, and accuracy."""
    if len(y_true) == 0:
        return {"macro_f1": NAN, "accuracy": NAN, "rows": 0.0}
    present = [label for label in labels if label in set(y_true) | set(y_pred)]
    return {
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
        ),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "rows": float(len(y_true)),
    }


def roc_auc_win_share(
    y_true: Sequence[int],
    candidate: Sequence[float],
    baseline: Sequence[float],
    resamples: int,
    seed: int,
) -> float:
    """Share of bootstrap resamples of the rows in which ``candidate`` ranks them with a
    higher ROC AUC than ``baseline`` (ties count half); NaN with one class present.

    Paired: both scores are judged on the same resamples. A holdout of a few dozen renewals
    gives a noisy AUC, so one lucky split can make a model look better than the rule; the win
    share says how often it would have. Resamples left with one class are not counted.
    """
    y = np.asarray(y_true, dtype=int)
    if len(np.unique(y)) < 2:
        return NAN
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), resamples).astype(float)
    kept = (counts[:, y == 1].sum(axis=1) > 0) & (counts[:, y == 0].sum(axis=1) > 0)
    if not kept.any():
        return NAN
    difference = weighted_roc_auc(y, candidate, counts[kept]) - weighted_roc_auc(
        y, baseline, counts[kept]
    )
    return float(np.mean((difference > 0) + 0.5 * (difference == 0)))


def weighted_roc_auc(y: np.ndarray, scores: Sequence[float], weights: np.ndarray) -> np.ndarray:
    """ROC AUC of ``scores`` under each row of ``weights`` (rows x resamples -> one AUC per
    resample): each positive's weight times the negative weight ranked below it, plus half the
    negative weight tied with it, over all positive x negative weight. O(rows) per resample."""
    s = np.asarray(scores, dtype=float)
    order = np.argsort(s, kind="stable")
    _, starts = np.unique(s[order], return_index=True)  # groups of tied scores, ascending
    positive = np.add.reduceat(weights[:, order] * (y[order] == 1), starts, axis=1)
    negative = np.add.reduceat(weights[:, order] * (y[order] == 0), starts, axis=1)
    below = np.cumsum(negative, axis=1) - negative
    wins = (positive * (below + 0.5 * negative)).sum(axis=1)
    return wins / (positive.sum(axis=1) * negative.sum(axis=1))

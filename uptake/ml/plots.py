"""Figures logged with each run (matplotlib Agg backend: no display, no GUI toolkit)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure


def calibration_figure(tables: dict[str, pd.DataFrame]) -> Figure:
    """Reliability diagram: mean predicted vs observed rate per bin, one line per scorer."""
    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for label, table in tables.items():
        shown = table[table["rows"] > 0]
        axis.plot(shown["mean_predicted"], shown["observed_rate"], marker="o", label=label)
    axis.set_xlabel("mean predicted churn probability")
    axis.set_ylabel("observed churn rate (holdout)")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left")
    figure.tight_layout()
    return figure


def importance_figure(importance: pd.DataFrame, title: str) -> Figure:
    """Horizontal bars of ``importance`` (columns feature, importance), largest on top."""
    ordered = importance.sort_values("importance")
    figure, axis = plt.subplots(figsize=(6, max(2.5, 0.35 * len(ordered))))
    axis.barh(ordered["feature"], ordered["importance"])
    axis.set_title(title)
    axis.set_xlabel("importance")
    figure.tight_layout()
    return figure


def close(figure: Figure) -> None:
    plt.close(figure)

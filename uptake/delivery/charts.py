"""Figures as ``data:`` URIs: the portfolio's two as PNG (matplotlib, Agg canvas, no pyplot
state), each account's two as SVG written directly (``svg``: they are drawn once per account,
and matplotlib's cost per figure made them most of the delivery step at scale).

Figures are drawn from mart values as they are; a plot without data returns ``None`` and the
page says so instead of drawing an empty frame.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from uptake.delivery import svg

DPI = 72
TIER_COLOURS = {"high": "#b3261e", "medium": "#e39b1b", "low": "#3a8d3f"}
HEATMAP_MONTHS = 18


def to_data_uri(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def risk_vs_adoption(frame: pd.DataFrame) -> str | None:
    """Accounts by adoption score (x) and churn probability (y), coloured by risk tier."""
    shown = frame.dropna(subset=["adoption_score", "churn_probability"])
    if shown.empty:
        return None
    figure = Figure(figsize=(7, 4.2), layout="tight")
    axis = figure.add_subplot()
    for tier, colour in TIER_COLOURS.items():
        part = shown[shown["risk_tier"] == tier]
        if len(part):
            axis.scatter(
                part["adoption_score"], part["churn_probability"], s=18, c=colour, label=tier
            )
    other = shown[~shown["risk_tier"].isin(list(TIER_COLOURS))]
    if len(other):
        axis.scatter(other["adoption_score"], other["churn_probability"], s=18, c="grey")
    axis.set_xlabel("adoption score (account_adoption)")
    axis.set_ylabel("churn probability (account_scores)")
    axis.set_xlim(0, 100)
    axis.set_ylim(0, 1)
    axis.legend(title="risk tier", loc="upper right")
    return to_data_uri(figure)


def usage_heatmap(
    usage: pd.DataFrame, names: dict[str, str], entitled: list[str] | None = None
) -> str | None:
    """Events per feature (rows) and month (columns) for one account, last months only; the
    entitled features never used get an empty row (the gaps show as pale lines)."""
    if usage.empty:
        return None
    grid = usage.pivot_table(
        index="feature_key", columns="month", values="events", aggfunc="sum", fill_value=0
    )
    rows = sorted(set(grid.index) | set(entitled or []))
    grid = grid.reindex(rows, fill_value=0)
    months = pd.period_range(
        pd.Timestamp(grid.columns.min()), pd.Timestamp(grid.columns.max()), freq="M"
    )
    grid.columns = pd.PeriodIndex(pd.to_datetime(grid.columns), freq="M")
    grid = grid.reindex(columns=months, fill_value=0).iloc[:, -HEATMAP_MONTHS:]
    values = grid.to_numpy(dtype=float)
    return svg.to_data_uri(
        svg.heatmap(
            values,
            [names.get(key, key) for key in grid.index],
            [month.strftime("%b %y") for month in grid.columns],
            f"events per month: pale = none, darkest = {values.max():,.0f}",
        )
    )


class CohortCurves:
    """Adoption depth by tenure: the cohort's accounts (thin grey) and one account (bold red).

    The grey lines are drawn once per cohort and reused for each of its accounts, which add
    their red line. The account is one of its cohort's lines, so the axes do not move."""

    LABELS = (
        "this account (red) and its benchmark cohort (grey)",
        "tenure (days)",
        "adoption depth %",
    )

    def __init__(self, snapshots: pd.DataFrame) -> None:
        needed = ["account_id", "tenure_days", "adoption_depth_pct"]
        if not set(needed) <= set(snapshots.columns):
            snapshots = pd.DataFrame(columns=needed)
        self.snapshots = snapshots.dropna(subset=needed)
        self._charts: dict[str, svg.LineChart] = {}

    def _cohort(self, key: str, accounts: list[str]) -> svg.LineChart:
        if key not in self._charts:
            peers = self.snapshots[self.snapshots["account_id"].isin(accounts)]
            tenure = peers["tenure_days"].astype(float)
            lines = [
                (rows["tenure_days"].to_numpy(float), rows["adoption_depth_pct"].to_numpy(float))
                for _peer, rows in peers.groupby("account_id")
            ]
            self._charts[key] = svg.LineChart(
                lines, (float(tenure.min()), float(tenure.max())), (0.0, 100.0), self.LABELS
            )
        return self._charts[key]

    def curve(self, account_id: str, cohort_key: str, cohort_accounts: list[str]) -> str | None:
        own = self.snapshots[self.snapshots["account_id"] == account_id]
        if own.empty or account_id not in cohort_accounts:
            return None
        chart = self._cohort(cohort_key, cohort_accounts)
        return svg.to_data_uri(
            chart.with_line(
                own["tenure_days"].to_numpy(float), own["adoption_depth_pct"].to_numpy(float)
            )
        )


def calibration(table: pd.DataFrame, label: str) -> str | None:
    """Reliability diagram from a calibration table (mean_predicted, observed_rate, rows)."""
    shown = table[table["rows"] > 0] if "rows" in table.columns else table
    if shown.empty:
        return None
    figure = Figure(figsize=(4.6, 4.2), layout="tight")
    axis = figure.add_subplot()
    axis.plot([0, 1], [0, 1], ls="--", color="grey", label="perfectly calibrated")
    axis.plot(shown["mean_predicted"], shown["observed_rate"], marker="o", label=label)
    axis.set_xlabel("mean predicted churn probability")
    axis.set_ylabel("observed churn rate")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left", fontsize=8)
    return to_data_uri(figure)

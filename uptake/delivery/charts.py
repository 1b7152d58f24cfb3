"""Small PNG figures as ``data:`` URIs (matplotlib, Agg canvas, no pyplot state).

Figures are drawn from mart values as they are; a plot without data returns ``None`` and the
page says so instead of drawing an empty frame.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

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
    height = 0.9 + 0.3 * len(grid)
    figure = Figure(figsize=(9, height))
    # Fixed margins (inches) instead of a tight layout: a layout pass costs a second draw.
    figure.subplots_adjust(left=1.9 / 9, right=0.98, bottom=0.35 / height, top=1 - 0.3 / height)
    axis = figure.add_subplot()
    axis.imshow(
        values, aspect="auto", cmap="YlGnBu", norm=PowerNorm(0.5, vmin=0, vmax=max(1, values.max()))
    )
    axis.set_yticks(range(len(grid)), [names.get(key, key) for key in grid.index], fontsize=8)
    # Every third month labelled, horizontally: tick labels are most of a heatmap's draw time.
    shown = list(range(len(grid.columns) - 1, -1, -3))[::-1]
    axis.set_xticks(shown, [grid.columns[i].strftime("%b %y") for i in shown], fontsize=7)
    # A title instead of a colour bar: the bar is a second axes and costs ~40 % of the draw.
    axis.set_title(
        f"events per month: pale = none, darkest = {values.max():,.0f}", fontsize=8, loc="left"
    )
    return to_data_uri(figure)


class CohortCurves:
    """Adoption depth by tenure: the cohort's accounts (thin grey) and one account (bold red).

    The grey lines are drawn once per cohort and the figure reused for each of its accounts
    (add the red line, save, remove it): half the cost of a fresh figure per account. The
    account is one of its cohort's lines, so the axes limits do not move."""

    def __init__(self, snapshots: pd.DataFrame) -> None:
        needed = ["account_id", "tenure_days", "adoption_depth_pct"]
        if not set(needed) <= set(snapshots.columns):
            snapshots = pd.DataFrame(columns=needed)
        self.snapshots = snapshots.dropna(subset=needed)
        self._figures: dict[str, tuple[Figure, Axes]] = {}

    def _cohort(self, key: str, accounts: list[str]) -> tuple[Figure, Axes]:
        if key not in self._figures:
            peers = self.snapshots[self.snapshots["account_id"].isin(accounts)]
            figure = Figure(figsize=(7, 3.2))
            figure.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9)
            axis = figure.add_subplot()
            for _peer, rows in peers.groupby("account_id"):
                axis.plot(rows["tenure_days"], rows["adoption_depth_pct"], color="#b8c4d6", lw=0.8)
            axis.set_xlabel("tenure (days)")
            axis.set_ylabel("adoption depth %")
            axis.set_ylim(0, 100)
            axis.set_title("this account (red) and its benchmark cohort (grey)", fontsize=9)
            self._figures[key] = (figure, axis)
        return self._figures[key]

    def curve(self, account_id: str, cohort_key: str, cohort_accounts: list[str]) -> str | None:
        own = self.snapshots[self.snapshots["account_id"] == account_id]
        if own.empty or account_id not in cohort_accounts:
            return None
        figure, axis = self._cohort(cohort_key, cohort_accounts)
        (line,) = axis.plot(own["tenure_days"], own["adoption_depth_pct"], color="#b3261e", lw=2.2)
        try:
            return to_data_uri(figure)
        finally:
            line.remove()


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

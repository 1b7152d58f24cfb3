"""Detection quality against a simulator's planted truth (``<landing>/_truth``).

The pipeline never reads ``_truth``; this module does, after a run, to say how well the scored
gaps match what was planted, always beside a plain rule baseline (a figure means
nothing without one). Pairs of churned accounts are left out (their truth is frozen at the churn
date and they are entitled to nothing now).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from uptake.settings import Settings
from uptake.warehouse import connect

ROOT_CAUSES = ("training", "product_fit", "urgency", "not_relevant")
ACTIONABLE = ("training", "product_fit", "urgency")
# The baseline reads the adoption status alone: tried -> training, dropped -> product fit,
# never touched -> urgency. No peers, tickets, notes or models.
BASELINE_CAUSE = {"trying": "training", "abandoned": "product_fit", "never_used": "urgency"}


@dataclass(frozen=True)
class Evaluation:
    pairs: int
    truth_gaps: int
    scored_gaps: int
    gap_precision: float
    gap_recall: float
    actionable_precision: float
    actionable_recall: float
    root_cause_accuracy: float
    root_cause_macro_f1: float
    baseline_root_cause_accuracy: float
    baseline_root_cause_macro_f1: float

    def as_dict(self) -> dict[str, float | int]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


def load_truth(truth_dir: Path) -> pd.DataFrame:
    path = truth_dir / "feature_truth.csv"
    if not path.exists():
        raise FileNotFoundError(f"no planted truth at {path}")
    truth = pd.read_csv(path, dtype=str)
    if "account_status" in truth.columns:
        truth = truth[truth["account_status"] == "active"]
    return truth[["account_id", "feature_key", "truth_status", "root_cause"]].fillna("")


def evaluate_frames(truth: pd.DataFrame, gaps: pd.DataFrame) -> Evaluation:
    """``gaps``: account_id, feature_key, root_cause, severity, gap_type from adoption_gaps."""
    merged = truth.merge(
        gaps.rename(columns={"root_cause": "scored_cause"}),
        on=["account_id", "feature_key"],
        how="left",
    )
    is_gap = merged["truth_status"] == "gap"
    scored = merged["scored_cause"].notna()
    actionable_truth = merged["root_cause"].isin(ACTIONABLE)
    actionable_scored = merged["severity"].isin(["critical", "warning"])

    caused = merged[is_gap & scored & merged["root_cause"].isin(ROOT_CAUSES)]
    baseline = caused["gap_type"].map(BASELINE_CAUSE).fillna("urgency")
    labels = list(ROOT_CAUSES)
    return Evaluation(
        pairs=len(merged),
        truth_gaps=int(is_gap.sum()),
        scored_gaps=int(scored.sum()),
        gap_precision=_round(precision_score(is_gap, scored, zero_division=0)),
        gap_recall=_round(recall_score(is_gap, scored, zero_division=0)),
        actionable_precision=_round(
            precision_score(actionable_truth, actionable_scored, zero_division=0)
        ),
        actionable_recall=_round(
            recall_score(actionable_truth, actionable_scored, zero_division=0)
        ),
        root_cause_accuracy=_round(accuracy_score(caused["root_cause"], caused["scored_cause"])),
        root_cause_macro_f1=_round(
            f1_score(
                caused["root_cause"],
                caused["scored_cause"],
                labels=labels,
                average="macro",
                zero_division=0,
            )
        ),
        baseline_root_cause_accuracy=_round(accuracy_score(caused["root_cause"], baseline)),
        baseline_root_cause_macro_f1=_round(
            f1_score(
                caused["root_cause"], baseline, labels=labels, average="macro", zero_division=0
            )
        ),
    )


def _round(value: float) -> float:
    return round(float(value), 3)


def evaluate_run(settings: Settings, truth_dir: Path | None = None) -> Evaluation:
    truth = load_truth(truth_dir or settings.landing_dir / "_truth")
    with connect(settings.warehouse_path, read_only=True) as con:
        gaps = con.execute(
            """
            select account_id, feature_key, root_cause, severity, gap_type
            from marts.adoption_gaps
            """
        ).df()
    return evaluate_frames(truth, gaps)


def format_evaluation(result: Evaluation) -> str:
    return "\n".join(
        [
            f"pairs evaluated (active accounts): {result.pairs}; planted gaps: "
            f"{result.truth_gaps}; scored gaps: {result.scored_gaps}",
            f"gap detection        precision {result.gap_precision:.3f}  "
            f"recall {result.gap_recall:.3f}",
            f"worth a CSM's time   precision {result.actionable_precision:.3f}  "
            f"recall {result.actionable_recall:.3f}  (critical+warning vs training/fit/urgency)",
            f"root cause           accuracy {result.root_cause_accuracy:.3f}  "
            f"macro F1 {result.root_cause_macro_f1:.3f}",
            f"  status-rule base   accuracy {result.baseline_root_cause_accuracy:.3f}  "
            f"macro F1 {result.baseline_root_cause_macro_f1:.3f}",
        ]
    )

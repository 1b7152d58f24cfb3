"""Replay the development homes' gaps with another need estimate in the priority.

The measurement behind docs/scoring.md's need tables (``benchmarks/bench_priority_need.py``):
the homes are split into folds by seed; the root-cause trees fitted on the other folds decide
each held-out home's causes, flags and ``gap_probability`` (so no home is judged by trees that
saw it), its gaps are priced as scoring prices them (``impact.add_impact``), and its
``marts.adoption_gaps`` is re-ranked with each need estimate and put through the evaluation
(``evaluate_outputs``, the rule baseline beside it). Offline tuning on development seeds only,
like every fit in this package; the pipeline never reads planted truth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from uptake.scoring.cause_model import CauseModel
from uptake.scoring.impact import add_impact, combined_need, gap_value, need_estimates
from uptake.scoring.root_cause import classify_root_causes
from uptake.scoring.severity import assign_severity, high_value_threshold
from uptake.simulation.cause_fit import fit_cause_model, home_seed, labelled_gaps, point_at_home
from uptake.simulation.evaluation import RunOutputs, evaluate_outputs, read_outputs

Need = Callable[[np.ndarray, np.ndarray], np.ndarray]

# (peers' estimate, model's probability) -> need; "shipped" is what scoring uses.
NEED_ESTIMATES: dict[str, Need] = {
    "shipped": combined_need,
    "peers": lambda peers, model: peers,
    "model": lambda peers, model: model,
    "max": np.maximum,
    "mean": lambda peers, model: (peers + model) / 2.0,
    "none": lambda peers, model: np.ones_like(peers),
}

# Seeds 11 to 16 in three folds, each with one of the first development seeds.
DEFAULT_FOLDS: tuple[tuple[int, ...], ...] = ((11, 14), (12, 15), (13, 16))

DECISIONS = ["root_cause", "root_cause_confidence", "severity"]


@dataclass(frozen=True)
class ReplayHome:
    """A built bench home: its labelled gap frame and what its run wrote."""

    path: Path
    seed: int
    gaps: pd.DataFrame  # cause_fit.labelled_gaps
    outputs: RunOutputs

    @property
    def setting(self) -> str:
        """The home's work folder and setting (``DEV_FS/field_service-hard``)."""
        return f"{self.path.parent.name}/{self.path.name.rsplit('-', 1)[0]}"


def load_home(path: Path) -> ReplayHome:
    seed = home_seed(path)
    if seed is None:
        raise ValueError(f"{path.name} is not named after a seed (<setting>-<seed>)")
    return ReplayHome(path, seed, labelled_gaps(path), read_outputs(point_at_home(path)))


def fold_index(seed: int, folds: Sequence[Sequence[int]]) -> int:
    """The fold holding ``seed``; a seed in no fold is an error (it would never be replayed)."""
    for index, fold in enumerate(folds):
        if seed in fold:
            return index
    raise ValueError(f"seed {seed} is in none of the folds {list(map(list, folds))}")


def decide(home: ReplayHome, model: CauseModel) -> pd.DataFrame:
    """The home's gaps decided by ``model`` and priced as scoring prices them: causes,
    gap_probability, severity, arr_at_risk, expansion_value and the shipped priority_score.
    The depth share is the run's own (``feature_churn_lift``: it reads no decision)."""
    gaps = home.gaps.drop(columns=["true_cause", "home"])
    gaps = gaps.join(classify_root_causes(gaps, model))
    lift = gaps[["account_id", "feature_key"]].merge(
        home.outputs.gaps[["account_id", "feature_key", "feature_churn_lift"]],
        on=["account_id", "feature_key"],
        how="left",
        validate="one_to_one",
    )["feature_churn_lift"]
    if lift.isna().any():
        raise ValueError(f"{home.path}: gaps the run did not score; rebuild the home")
    gaps = add_impact(gaps, lift.to_numpy(dtype=float))
    gaps["severity"] = assign_severity(gaps, high_value_threshold(home.outputs.accounts))
    return gaps


def reranked_priority(decided: pd.DataFrame, need: Need) -> np.ndarray:
    """priority_score with ``need`` in place of the shipped combination."""
    return np.round(gap_value(decided) * need(*need_estimates(decided)), 2)


def replay_home(home: ReplayHome, decided: pd.DataFrame, needs: dict[str, Need]) -> pd.DataFrame:
    """One row per need: the evaluation of the home's gaps ranked with it."""
    rows = []
    kept = home.outputs.gaps.drop(columns=[*DECISIONS, "priority_score"])
    for name, need in needs.items():
        ranked = decided[["account_id", "feature_key", *DECISIONS]].assign(
            priority_score=reranked_priority(decided, need)
        )
        gaps = kept.merge(ranked, on=["account_id", "feature_key"], how="left")
        truth = home.path / "landing" / "_truth"
        result = evaluate_outputs(replace(home.outputs, gaps=gaps), truth)
        rows.append(
            {
                "setting": home.setting,
                "seed": home.seed,
                "need": name,
                "precision_at_50": result.model.precision_at_50,
                "spearman": result.model.priority_spearman,
                "flagged_f1": result.model.flagged_f1,
                "baseline_precision_at_50": result.baseline.precision_at_50,
                "baseline_spearman": result.baseline.priority_spearman,
            }
        )
    return pd.DataFrame(rows)


def replay(
    homes: Sequence[ReplayHome],
    needs: dict[str, Need],
    folds: Sequence[Sequence[int]] = DEFAULT_FOLDS,
) -> pd.DataFrame:
    """Every home, held out with its fold, ranked with every need."""
    of_fold = [fold_index(home.seed, folds) for home in homes]
    frames = []
    for fold in sorted(set(of_fold)):
        rest = [home.gaps for home, f in zip(homes, of_fold, strict=True) if f != fold]
        if not rest:
            raise ValueError("one fold holds every home: nothing left to fit the trees on")
        model = fit_cause_model(pd.concat(rest, ignore_index=True), version=f"fold-{fold}")
        for home, f in zip(homes, of_fold, strict=True):
            if f == fold:
                frames.append(replay_home(home, decide(home, model), needs))
    return pd.concat(frames, ignore_index=True)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Means over the seeds of each setting, per need."""
    figures = [
        "precision_at_50",
        "spearman",
        "flagged_f1",
        "baseline_precision_at_50",
        "baseline_spearman",
    ]
    return rows.groupby(["need", "setting"], sort=False)[figures].mean().round(3)

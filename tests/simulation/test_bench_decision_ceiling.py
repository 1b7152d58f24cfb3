"""The decision-ceiling benchmark replays the simulator's draws: the planted pairs it learns from
are the pairs and truth ``simulate`` wrote for the same arguments."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from uptake.simulation import PRESETS, SimulationSummary
from uptake.simulation.evaluation import ACTIONABLE

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_decision_ceiling import main, planted_pairs, signal_columns


def test_planted_pairs_are_the_written_truth(tiny_hard: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny_hard
    planted = planted_pairs(7, "hard", "analytics", **PRESETS["tiny"])
    written = pd.read_csv(root / "_truth" / "feature_truth.csv", dtype=str).fillna("")
    written = written[written["account_status"] == "active"]
    expected = {
        (row.account_id, row.feature_key): (
            row.root_cause if row.truth_status == "gap" else row.truth_status,
            row.truth_status == "gap" and row.root_cause in ACTIONABLE,
        )
        for row in written.itertuples()
    }
    got = {
        (row.account_id, row.feature_key): (row.cause, row.is_real) for row in planted.itertuples()
    }
    assert got == expected
    assert planted["is_real"].any()


def test_the_learners_never_read_the_truth_or_the_pair_s_name() -> None:
    planted = planted_pairs(7, "standard", "analytics", **PRESETS["tiny"])
    columns = signal_columns(planted)
    assert not {"cause", "is_real", "seed", "account_id", "feature_key"} & set(columns)
    assert {"trial_rate", "tickets_how-to", "notes_not_needed_note", "health"} <= set(columns)


def test_evaluation_seeds_are_refused_for_training(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["--train-seeds", "11,101"])
    assert refused.value.code == 2
    assert "must not hold evaluation seeds: [101]" in capsys.readouterr().err

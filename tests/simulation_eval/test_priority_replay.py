"""The need replay's parts: folds, home seeds and the re-ranked priority."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.scoring.impact_fixtures import impact_inputs
from uptake.scoring.impact import add_impact
from uptake.simulation.cause_fit import development_homes, home_seed
from uptake.simulation.priority_replay import NEED_ESTIMATES, fold_index, reranked_priority


def priced_gaps() -> pd.DataFrame:
    gaps = impact_inputs()
    return add_impact(gaps, np.array([0.2, 0.2, 0.2]))


def test_the_shipped_need_reproduces_the_priority_scoring_writes() -> None:
    gaps = priced_gaps()
    assert reranked_priority(gaps, NEED_ESTIMATES["shipped"]).tolist() == (
        gaps["priority_score"].tolist()
    )


def test_other_needs_rank_the_same_value_differently() -> None:
    gaps = priced_gaps()
    value = [6000.0, 6000.0 * 1.25 + 300.0, 6000.0]
    assert reranked_priority(gaps, NEED_ESTIMATES["none"]).tolist() == value
    # peers 1, 0.5, 2/3 (tried: odds doubled); model 1, 0.5, 0.96
    assert reranked_priority(gaps, NEED_ESTIMATES["max"]).tolist() == pytest.approx(
        [6000.0, value[1] * 0.5, 6000.0 * 0.96], abs=0.01
    )
    assert reranked_priority(gaps, NEED_ESTIMATES["peers"]).tolist() == pytest.approx(
        [6000.0, value[1] * 0.5, 4000.0], abs=0.01
    )


def test_a_home_is_held_out_with_its_fold_and_a_seed_in_no_fold_is_refused() -> None:
    folds = ((11, 14), (12, 15), (13, 16))
    assert [fold_index(seed, folds) for seed in (11, 15, 16)] == [0, 1, 2]
    with pytest.raises(ValueError, match="seed 17 is in none of the folds"):
        fold_index(17, folds)


def test_home_seeds_are_read_from_the_names_and_evaluation_homes_refused(tmp_path: Path) -> None:
    assert home_seed(Path("DEV_FS/field_service-hard-14")) == 14
    assert home_seed(Path("DEV/standard-11")) == 11
    assert home_seed(Path("DEV/notes")) is None
    (tmp_path / "DEV" / "hard-12" / "landing" / "_truth").mkdir(parents=True)
    assert development_homes(tmp_path) == [tmp_path / "DEV" / "hard-12"]
    (tmp_path / "DEV" / "plain-102" / "landing" / "_truth").mkdir(parents=True)
    with pytest.raises(SystemExit, match=r"never fitted on: \['plain-102'\]"):
        development_homes(tmp_path)

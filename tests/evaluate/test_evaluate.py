from pathlib import Path

import pandas as pd
import pytest

from uptake.evaluate import evaluate_frames, load_truth


def _truth() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b", "b"],
            "feature_key": ["f1", "f2", "f3", "f1", "f2"],
            "truth_status": ["adopted", "gap", "gap", "gap", "gap"],
            "root_cause": ["", "training", "product_fit", "urgency", "not_relevant"],
        }
    )


def test_perfect_scores_when_the_gaps_match_the_truth() -> None:
    gaps = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "b"],
            "feature_key": ["f2", "f3", "f1", "f2"],
            "root_cause": ["training", "product_fit", "urgency", "not_relevant"],
            "severity": ["warning", "critical", "warning", "info"],
            "gap_type": ["never_used", "never_used", "never_used", "never_used"],
        }
    )
    result = evaluate_frames(_truth(), gaps)
    assert (result.gap_precision, result.gap_recall) == (1.0, 1.0)
    assert (result.actionable_precision, result.actionable_recall) == (1.0, 1.0)
    assert result.root_cause_accuracy == 1.0
    # The status-only baseline calls every never-used gap urgency: 1 of 4 right.
    assert result.baseline_root_cause_accuracy == 0.25


def test_a_missed_gap_and_a_false_gap_lower_recall_and_precision() -> None:
    gaps = pd.DataFrame(
        {
            "account_id": ["a", "a"],
            "feature_key": ["f1", "f2"],  # f1 is adopted in truth: a false gap
            "root_cause": ["urgency", "product_fit"],
            "severity": ["warning", "warning"],
            "gap_type": ["trying", "trying"],
        }
    )
    result = evaluate_frames(_truth(), gaps)
    assert result.gap_precision == 0.5
    assert result.gap_recall == 0.25
    assert result.root_cause_accuracy == 0.0
    assert result.baseline_root_cause_accuracy == 1.0  # trying -> training


def test_churned_accounts_are_left_out(tmp_path: Path) -> None:
    truth = _truth().assign(account_status=["active", "active", "active", "churned", "churned"])
    truth.to_csv(tmp_path / "feature_truth.csv", index=False)
    assert set(load_truth(tmp_path).account_id) == {"a"}
    with pytest.raises(FileNotFoundError):
        load_truth(tmp_path / "missing")

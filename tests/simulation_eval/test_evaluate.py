import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from uptake.simulation.evaluation import (
    RunOutputs,
    calibration_error,
    evaluate_outputs,
    format_evaluation,
    load_feature_truth,
    true_impact,
)
from uptake.simulation.rule_baseline import BASELINE_COLUMNS, rule_baseline

AS_OF = pd.Timestamp("2026-06-30")


def _write_truth(folder: Path, churned_account: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b", "b", "c"],
            "feature_key": ["f1", "f2", "f3", "f1", "f2", "f1"],
            "truth_status": ["adopted", "gap", "gap", "gap", "gap", "gap"],
            "root_cause": ["", "training", "product_fit", "urgency", "not_relevant", "training"],
            "account_status": ["active"] * 5 + ["churned" if churned_account == "c" else "active"],
        }
    ).to_csv(folder / "feature_truth.csv", index=False)
    pd.DataFrame(
        {
            "renewal_id": ["r1", "r2", "r3", "r4"],
            "account_id": ["a", "b", "c", "a"],
            "close_date": ["2026-09-01", "2026-10-01", "2026-11-01", "2025-01-01"],
            "churn_probability": [0.6, 0.2, 0.4, 0.5],
            "churned": ["true", "false", "false", "false"],
            "is_closed": ["false", "false", "false", "true"],
        }
    ).to_csv(folder / "renewal_truth.csv", index=False)
    return folder


def _gaps(causes: dict[tuple[str, str], tuple[str, str, float]]) -> pd.DataFrame:
    """(account, feature) -> (root_cause, severity, priority), with baseline signal columns."""
    rows = []
    for (account, feature), (cause, severity, priority) in causes.items():
        rows.append(
            {
                "account_id": account,
                "feature_key": feature,
                "root_cause": cause,
                "root_cause_confidence": 0.8,
                # the hand-weighted rule (the root-cause model's baseline) says urgency throughout
                "evidence": json.dumps({"status": "never_used", "rule_cause": "urgency"}),
                "severity": severity,
                "priority_score": priority,
                "adoption_status": "never_used",
                "overdue_days": 40,
                "use_case_peer_rate": 0.8,
                "peer_adoption_rate": 0.8,
                "how_to_tickets": 0,
                "feature_request_tickets": 0,
                "complaint_tickets": 0,
                "training_notes": 0,
                "product_fit_notes": 0,
                "urgency_notes": 0,
                "not_relevant_notes": 0,
                "negative_feature_notes": 0,
                "arr": 1000.0,
                "churn_probability": 0.3,
                "value_weight": 1.0,
                "renewal_in_days": 100,
            }
        )
    return pd.DataFrame(rows)


def _outputs(gaps: pd.DataFrame, model_churn: dict[str, float]) -> RunOutputs:
    accounts = pd.DataFrame({"account_id": ["a", "b", "c"], "arr": [1000.0, 3000.0, 500.0]})
    catalog = pd.DataFrame({"feature_key": ["f1", "f2", "f3"], "value_weight": [1.0, 2.0, 1.0]})
    churn = pd.DataFrame(
        {
            "account_id": list(model_churn),
            "model_churn": list(model_churn.values()),
            "baseline_churn": [0.5] * len(model_churn),
        }
    )
    return RunOutputs(AS_OF, gaps, accounts, catalog, churn)


PERFECT = {
    ("a", "f2"): ("training", "warning", 30.0),
    ("a", "f3"): ("product_fit", "critical", 20.0),
    ("b", "f1"): ("urgency", "warning", 10.0),
    ("b", "f2"): ("not_relevant", "info", 1.0),
    ("c", "f1"): ("training", "warning", 5.0),
}


def test_perfect_decisions_score_one(tmp_path: Path) -> None:
    truth = _write_truth(tmp_path / "_truth")
    result = evaluate_outputs(_outputs(_gaps(PERFECT), {"a": 0.9, "b": 0.1, "c": 0.2}), truth)
    model = result.model
    assert (model.flagged_precision, model.flagged_recall, model.flagged_f1) == (1.0, 1.0, 1.0)
    assert model.root_cause_macro_f1 == 1.0
    # Top 50 of the five scored gaps: the four flagged real gaps, then the unflagged one.
    assert model.precision_at_50 == 0.8
    assert model.churn_auc == 1.0 and result.renewals_365d == 3
    assert result.real_gaps == 4 and result.flagged == 4
    assert "rule baseline" in format_evaluation(result)
    # Every stated cause is right: a stated 0.8 is 0.2 off.
    assert result.cause_confidence_ece == pytest.approx(0.2)
    assert "calibration error 0.200" in format_evaluation(result)
    # The hand-weighted rule's "urgency" everywhere is right on one of the four real gaps:
    # urgency F1 2 x 1/4 x 1 / (1/4 + 1) = 0.4, training and product fit 0; macro 0.133.
    assert result.hand_rule_cause_macro_f1 == pytest.approx(0.133)
    assert "hand-weighted rule (the root-cause model's baseline) 0.133" in format_evaluation(result)


def test_calibration_error_compares_stated_confidence_with_how_often_it_is_right() -> None:
    right = pd.Series([True, True, False, False])
    assert calibration_error(pd.Series([0.9, 0.9, 0.1, 0.1]), right) == pytest.approx(0.1)
    assert calibration_error(pd.Series([0.9, 0.9, 0.9, 0.9]), right) == pytest.approx(0.4)
    # One bin: the stated 0.75 is what happens (three of four right).
    three = pd.Series([True, True, True, False])
    assert calibration_error(pd.Series([0.75, 0.72, 0.78, 0.75]), three) == pytest.approx(0.0)
    # A missing confidence (evidence without a share) is left out; none at all is NaN.
    assert calibration_error(pd.Series([1.0, None]), pd.Series([True, False])) == 0.0
    assert np.isnan(calibration_error(pd.Series([None, None], dtype=float), right[:2]))


def test_a_false_flag_and_a_miss_lower_precision_and_recall(tmp_path: Path) -> None:
    truth = _write_truth(tmp_path / "_truth")
    decisions = dict(PERFECT)
    decisions[("b", "f2")] = ("urgency", "warning", 50.0)  # not relevant, flagged
    decisions[("c", "f1")] = ("not_relevant", "info", 0.0)  # real, missed
    result = evaluate_outputs(_outputs(_gaps(decisions), {"a": 0.9, "b": 0.1, "c": 0.2}), truth)
    assert result.model.flagged_precision == 0.75
    assert result.model.flagged_recall == 0.75
    assert result.model.precision_at_50 == 0.8  # the false flag ranks first


def test_churned_accounts_are_left_out(tmp_path: Path) -> None:
    folder = _write_truth(tmp_path / "_truth", churned_account="c")
    assert set(load_feature_truth(folder)["account_id"]) == {"a", "b"}
    with pytest.raises(FileNotFoundError):
        load_feature_truth(tmp_path / "missing")


def test_true_impact_is_arr_times_the_churn_drop_of_adopting_the_feature() -> None:
    truth = pd.DataFrame({"account_id": ["a", "a"], "feature_key": ["f1", "f2"]})
    renewals = pd.DataFrame(
        {
            "account_id": ["a", "a"],
            "close_date": pd.to_datetime(["2026-08-01", "2027-08-01"]),
            "churn_probability": [0.5, 0.9],
        }
    )
    accounts = pd.DataFrame({"account_id": ["a"], "arr": [1000.0]})
    catalog = pd.DataFrame({"feature_key": ["f1", "f2"], "value_weight": [1.0, 3.0]})
    impact = true_impact(truth, renewals, accounts, catalog, AS_OF)
    # The next renewal (p = 0.5, logit 0); f2 carries 3/4 of the weight: logit falls by 3.5 * 0.75.
    expected = 1000.0 * (0.5 - 1.0 / (1.0 + np.exp(3.5 * 0.75)))
    assert impact.iloc[1] == pytest.approx(expected)
    assert impact.iloc[1] > impact.iloc[0] > 0


def test_the_rule_baseline_reads_peers_timing_tickets_and_notes() -> None:
    gaps = _gaps({("a", "f1"): ("", "", 0.0), ("a", "f2"): ("", "", 0.0)})
    gaps = pd.concat([gaps] * 3, ignore_index=True)
    gaps["feature_key"] = ["f1", "f2", "f3", "f4", "f5", "f6"]
    gaps.loc[0, "how_to_tickets"] = 2  # training
    gaps.loc[1, ["adoption_status", "feature_request_tickets"]] = ["abandoned", 1]  # fit
    gaps.loc[2, "use_case_peer_rate"] = 0.05  # peers do not use it: not relevant
    gaps.loc[3, "overdue_days"] = -10  # too early: not flagged
    gaps.loc[4, "not_relevant_notes"] = 1  # the CSM wrote it does not apply
    out = rule_baseline(gaps)
    assert out["baseline_cause"].tolist() == [
        "training", "product_fit", "not_relevant", "urgency", "not_relevant", "urgency",
    ]  # fmt: skip
    assert out["baseline_flagged"].tolist() == [True, True, False, False, False, True]
    assert (out["baseline_priority"] > 0).all()  # ranked by ARR x churn x weight x renewal
    with pytest.raises(KeyError, match="how_to_tickets"):
        rule_baseline(gaps.drop(columns="how_to_tickets"))
    assert "use_case_peer_rate" in BASELINE_COLUMNS

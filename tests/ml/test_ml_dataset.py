"""Training sets, split, features and the promotion rule: pure functions, no MLflow."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from mart_fixtures import AS_OF, build_marts

from uptake.ml.dataset import build_churn_training_set, build_intent_training_set, time_split
from uptake.ml.features import (
    health_score,
    intent_from_tags,
    note_sentiment,
    note_themes,
    split_tags,
)
from uptake.ml.model_specs import PromotionRule, load_churn_spec, load_intent_spec
from uptake.ml.promotion import decide_promotion
from uptake.settings import Settings


@pytest.fixture(scope="module")
def marts() -> dict[str, pd.DataFrame]:
    return build_marts()


@pytest.fixture(scope="module")
def churn_spec():
    return load_churn_spec(Settings(home=None, landing_dir=None, warehouse_path=None))  # type: ignore[arg-type]


def test_churn_rows_use_the_latest_snapshot_at_least_90_days_before_close(marts, churn_spec):
    data = build_churn_training_set(
        marts["fct_renewal_outcomes"],
        marts["fct_account_snapshots_every_30_days"],
        churn_spec,
        AS_OF,
    )
    snaps = marts["fct_account_snapshots_every_30_days"].assign(
        snapshot_date=lambda f: pd.to_datetime(f["snapshot_date"])
    )
    assert len(data) > 150
    for row in data.itertuples():
        cutoff = row.close_date - pd.Timedelta(days=90)
        assert row.snapshot_date <= cutoff  # point in time: nothing after the cutoff
        eligible = snaps[
            (snaps["account_id"] == row.account_id) & (snaps["snapshot_date"] <= cutoff)
        ]
        assert row.snapshot_date == eligible["snapshot_date"].max()  # and the latest such
        expected = eligible.loc[eligible["snapshot_date"].idxmax(), "license_utilization"]
        assert row.license_utilization == pytest.approx(expected)


def test_several_lookbacks_give_one_row_per_renewal_and_point_in_time(marts, churn_spec):
    spec = replace(churn_spec, lookback_days=(90, 180, 270))
    data = build_churn_training_set(
        marts["fct_renewal_outcomes"], marts["fct_account_snapshots_every_30_days"], spec, AS_OF
    )
    only_90 = build_churn_training_set(
        marts["fct_renewal_outcomes"],
        marts["fct_account_snapshots_every_30_days"],
        replace(churn_spec, lookback_days=(90,)),
        AS_OF,
    )
    assert set(data["lookback_days"]) == {90, 180, 270}
    assert not data.duplicated(["renewal_id", "snapshot_date"]).any()
    assert len(data) > 2 * len(only_90)
    for row in data.itertuples():  # each row the latest snapshot at or before its own cutoff
        assert row.snapshot_date <= row.close_date - pd.Timedelta(days=row.lookback_days)
    at_90 = data[data["lookback_days"] == 90].reset_index(drop=True)
    # the 90-day rows are the single-lookback set (an unmatched lookback makes int columns float)
    pd.testing.assert_frame_equal(at_90, only_90, check_dtype=False)
    labels = data.groupby("renewal_id")["label"].nunique()
    assert (labels == 1).all()  # every row of a renewal carries its label


@pytest.mark.parametrize("raw", [0, -30, [], [90, 90], "90", [90, True], 1.5])
def test_lookback_days_must_be_whole_days(raw):
    from uptake.ml.model_specs import _lookbacks

    with pytest.raises(ValueError, match="lookback_days"):
        _lookbacks(raw)


def test_lookback_days_take_one_number_or_a_list():
    from uptake.ml.model_specs import _lookbacks

    assert _lookbacks(90) == (90,)
    assert _lookbacks([180, 90]) == (90, 180)


def test_churn_set_excludes_open_and_future_renewals(marts, churn_spec):
    as_of = date(2026, 1, 1)
    data = build_churn_training_set(
        marts["fct_renewal_outcomes"],
        marts["fct_account_snapshots_every_30_days"],
        churn_spec,
        as_of,
    )
    assert data["close_date"].max() <= pd.Timestamp(as_of)
    assert not data["renewal_id"].str.startswith("R9").any()  # the open renewals of the fixture
    assert set(data["label"]) == {0, 1}


def test_churn_set_drops_features_not_in_the_spec_and_fails_on_missing(marts, churn_spec):
    broken = replace(churn_spec, features=("license_utilization", "no_such_column"))
    with pytest.raises(ValueError, match="no_such_column"):
        build_churn_training_set(
            marts["fct_renewal_outcomes"],
            marts["fct_account_snapshots_every_30_days"],
            broken,
            AS_OF,
        )


def test_time_split_puts_the_latest_dates_in_the_holdout():
    frame = pd.DataFrame(
        {"day": pd.date_range("2026-01-01", periods=100, freq="D").repeat(2), "x": range(200)}
    )
    split = time_split(frame, "day", 0.25)
    assert split.train["day"].max() < split.test["day"].min() == split.cutoff
    assert len(split.test) == pytest.approx(50, abs=2)
    assert len(split.train) + len(split.test) == 200
    one_day = time_split(frame.head(2), "day", 0.25)
    assert one_day.test.empty and len(one_day.train) == 2


def test_intent_labels_come_from_tags_and_untagged_tickets_are_unlabeled(marts):
    spec = load_intent_spec(Settings(home=None, landing_dir=None, warehouse_path=None))  # type: ignore[arg-type]
    tickets = build_intent_training_set(marts["fct_support_tickets"], spec, AS_OF)
    assert set(tickets["intent"].dropna()) == set(spec.intents)
    assert 0.1 < tickets["intent"].isna().mean() < 0.35
    assert intent_from_tags(["billing", "Feature_Request"]) == "feature-request"
    assert intent_from_tags("billing|urgent") is None
    assert split_tags("a|b, c") == ["a", "b", "c"]


def test_health_score_rewards_usage_and_penalises_tickets():
    healthy = pd.DataFrame(
        {
            "adoption_depth_pct": [65],
            "license_utilization": [0.8],
            "usage_trend_30d": [1.0],
            "tickets_30d": [0],
        }
    )
    assert health_score(healthy).iloc[0] == pytest.approx(100.0)
    worse = healthy.assign(license_utilization=0.2, tickets_30d=5)
    assert health_score(worse).iloc[0] == pytest.approx(100 - 25 * 0.75 - 20)


def test_note_sentiment_rule():
    assert note_sentiment("They are frustrated and consider a competitor.") < 0
    assert note_sentiment("Great call, the team is happy.") > 0
    assert note_sentiment("They see no value in it") < 0  # negative phrase beats "value"
    assert note_sentiment("Quarterly check-in.") == 0
    assert note_themes("Several users struggle with it; suggested training.") == {"training"}
    assert note_themes("It does not fit their process.") == {"product_fit"}
    assert note_themes("They have no need for it.") == {"not_relevant"}
    assert note_themes("Not a priority this quarter, revisit later.") == {"urgency"}
    assert note_themes("Renewal signed.") == set()


RULE = PromotionRule("roc_auc", min_delta=0.0, require_beat_baseline=True, min_value=0.5)


@pytest.mark.parametrize(
    ("candidate", "baseline", "champion", "version", "promote", "reason"),
    [
        (math.nan, 0.6, None, None, False, "undefined"),
        (0.60, 0.65, None, None, False, "does not beat the rule baseline"),
        (0.45, 0.30, None, None, False, "not above the floor 0.5"),  # worse than chance
        (0.70, 0.65, None, None, True, "first model"),
        (0.70, 0.65, 0.75, "3", False, "does not beat champion v3"),
        (0.75, 0.65, 0.75, "3", False, "does not beat champion v3"),  # a tie is not a win
        (0.80, 0.65, 0.75, "3", True, "beats champion v3"),
        (0.80, 0.65, math.nan, "3", True, "cannot be scored"),
    ],
)
def test_promotion_rule(candidate, baseline, champion, version, promote, reason):
    decision = decide_promotion(RULE, candidate, baseline, champion, version)
    assert decision.promote is promote
    assert reason in decision.reason

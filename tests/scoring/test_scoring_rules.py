"""Root cause, severity, cap, recommendations, alert merge and atomic publish on hand-made rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.scoring.impact_fixtures import impact_inputs
from uptake.scoring.alerts import alert_id, merge_alerts
from uptake.scoring.atomic_publish import publish
from uptake.scoring.contract import ADOPTION_ALERTS
from uptake.scoring.impact import add_impact
from uptake.scoring.playbook import onboarded_accounts, playbook_actions
from uptake.scoring.recommend import effectiveness, intervention_counts, recommend
from uptake.scoring.root_cause import rule_root_causes
from uptake.scoring.severity import (
    apply_alert_cap,
    assign_severity,
    established_use_dip,
    held_for_core_first,
    lapsed_in_quiet_account,
)

AS_OF = pd.Timestamp("2026-06-30")


def gap(**overrides) -> dict:
    row = {
        "account_id": "A1", "feature_key": "reports", "adoption_status": "never_used",
        "how_to_tickets": 0, "bug_tickets": 0, "feature_request_tickets": 0,
        "complaint_tickets": 0, "negative_feature_notes": 0, "negative_account_notes": 0,
        "relevance": 0.6, "use_case_peer_rate": 0.6, "peer_adoption_rate": 0.6,
        "churn_probability": 0.1, "renewal_in_days": 300.0, "overdue_days": 60.0,
        "is_too_early": False, "category": "core", "arr": 100_000.0, "risk_tier": "low",
        "csm_owner": "csm-1", "priority_score": 1.0, "unused_for_days": None,
        "first_adopted_date": None, "account_active_users_30d": 8,
        "is_lapsed_in_quiet_account": False, "is_established_use_dip": False,
        "is_held_for_core": False, "gap_probability": 0.8, "is_likely_no_gap": False,
        # more than a stray click, so trying/abandoned rows are read as attempts
        "events_to_date": 10, "use_span_days": None, "use_pace": None, "peak_pace": None,
        "failed_events_to_date": 0,
        "users_to_date": 0, "adoption_score": 50.0, "training_notes": 0,
        "product_fit_notes": 0, "urgency_notes": 0, "not_relevant_notes": 0,
    }  # fmt: skip
    row.update(overrides)
    return row


def test_hand_weighted_root_cause_rule():
    """The rule the fitted model replaced, kept as its baseline (rule_cause in the evidence)."""
    weak_peers = gap(
        relevance=0.2, use_case_peer_rate=0.2, churn_probability=0.5, renewal_in_days=60.0
    )
    rows = pd.DataFrame(
        [
            gap(adoption_status="trying", how_to_tickets=2),  # tried, struggled, asked how
            gap(adoption_status="abandoned", feature_request_tickets=1, negative_feature_notes=1),
            gap(),  # never tried, healthy, no renewal pressure, peers use it
            gap(relevance=0.05, use_case_peer_rate=0.05, peer_adoption_rate=0.05),
            gap(
                churn_probability=0.6,
                renewal_in_days=30.0,
                how_to_tickets=1,
                adoption_status="trying",
            ),
            # Never used, few peers of its use case use it, nothing shows a need: not relevant,
            weak_peers,
            # unless the notes say "later, not a priority": it is needed, just not now.
            {**weak_peers, "urgency_notes": 2},
        ]
    )
    result = rule_root_causes(rows)
    assert result["rule_cause"].tolist() == [
        "training", "product_fit", "urgency", "not_relevant", "training", "not_relevant", "urgency",
    ]  # fmt: skip
    assert result["rule_evidence_share"].between(1 / 3, 1.0).all()
    # The same peers at 0.3: unneeded if the account never touched the feature, needed if it
    # tried it (its own trace speaks for it); at 0.1 even an account that tried it is unneeded.
    by_own_use = rule_root_causes(
        pd.DataFrame(
            [
                gap(relevance=0.3, use_case_peer_rate=0.3),
                gap(relevance=0.3, use_case_peer_rate=0.3, adoption_status="trying"),
                gap(relevance=0.3, use_case_peer_rate=0.3, adoption_status="abandoned"),
                gap(relevance=0.1, use_case_peer_rate=0.1, adoption_status="trying"),
            ]
        )
    )
    assert by_own_use["rule_cause"].tolist() == [
        "not_relevant", "training", "product_fit", "not_relevant",
    ]  # fmt: skip
    # Abandoned a month ago is sporadic use (training); half a year ago, tried and dropped.
    lately = rule_root_causes(
        pd.DataFrame(
            [
                gap(adoption_status="abandoned", unused_for_days=40),
                gap(adoption_status="abandoned", unused_for_days=200),
            ]
        )
    )
    assert lately["rule_cause"].tolist() == ["training", "product_fit"]
    # One or two events ever are a stray click, read as never used: at peers 0.3 unneeded,
    # where three events are an attempt (training).
    stray = rule_root_causes(
        pd.DataFrame(
            [
                gap(
                    relevance=0.3,
                    use_case_peer_rate=0.3,
                    adoption_status="trying",
                    events_to_date=2,
                ),
                gap(
                    relevance=0.3,
                    use_case_peer_rate=0.3,
                    adoption_status="trying",
                    events_to_date=3,
                ),
            ]
        )
    )
    assert stray["rule_cause"].tolist() == ["not_relevant", "training"]
    # The pace of a trial adds 1.5 points: near the threshold (0.9) to product fit, feeble (0.2)
    # to training. It settles a feature dropped long ago but worked feebly as training (a tie,
    # training listed first) and leaves a trial still going near the threshold a tie too.
    # Unknown pace adds nothing.
    paced = rule_root_causes(
        pd.DataFrame(
            [
                gap(adoption_status="abandoned", unused_for_days=200, use_pace=0.9),
                gap(adoption_status="abandoned", unused_for_days=40, use_pace=0.2),
                gap(adoption_status="abandoned", unused_for_days=200, use_pace=0.2),
                gap(adoption_status="trying", use_pace=0.9),
                gap(adoption_status="abandoned", unused_for_days=200, use_pace=None),
            ]
        )
    )
    assert paced["rule_cause"].tolist() == [
        "product_fit", "training", "training", "training", "product_fit",
    ]  # fmt: skip
    confidence = paced["rule_evidence_share"].tolist()
    assert confidence[0] > confidence[4] and confidence[1] > confidence[2]
    # A how-to ticket on a feature never used outweighs "never used, no renewal pressure".
    asked = rule_root_causes(pd.DataFrame([gap(how_to_tickets=1), gap()]))
    assert asked["rule_cause"].tolist() == ["training", "urgency"]
    # More evidence for the same cause makes it more one-sided.
    more = rule_root_causes(pd.DataFrame([gap(adoption_status="trying", how_to_tickets=3)]))
    assert more["rule_evidence_share"].iloc[0] > result["rule_evidence_share"].iloc[0]


def test_severity_rules():
    rows = pd.DataFrame(
        [
            gap(root_cause="urgency"),  # core, high value, 60 days late -> critical
            gap(root_cause="urgency", arr=10_000.0),  # low value, healthy -> warning
            gap(root_cause="urgency", arr=10_000.0, risk_tier="high", renewal_in_days=60.0),
            gap(root_cause="urgency", is_too_early=True, overdue_days=-10.0),  # too early
            gap(root_cause="not_relevant"),
            gap(root_cause="training", overdue_days=10.0),  # late, but not 30+ days
            gap(root_cause="training", is_lapsed_in_quiet_account=True),  # the account's problem
            gap(root_cause="training", is_established_use_dip=True),  # a dip, not a gap
            gap(root_cause="urgency", is_likely_no_gap=True),  # the model: in use or early
        ]
    )
    severity = assign_severity(rows, high_value_arr=50_000.0)
    assert severity.tolist() == [
        "critical",
        "warning",
        "critical",
        "info",
        "info",
        "warning",
        "info",
        "info",
        "info",
    ]


def test_severity_reads_a_missing_renewal_date_as_not_renewing_soon():
    # An evergreen subscription has no EndDate: the warehouse hands scoring a nullable
    # integer column with a NULL in it, which once crashed here (fillna with infinity).
    rows = pd.DataFrame(
        [
            gap(root_cause="urgency", arr=10_000.0, risk_tier="high", renewal_in_days=60.0),
            gap(root_cause="urgency", arr=10_000.0, risk_tier="high", renewal_in_days=None),
        ]
    )
    rows["renewal_in_days"] = rows["renewal_in_days"].astype("Int32")
    assert assign_severity(rows, high_value_arr=50_000.0).tolist() == ["critical", "warning"]


def test_a_feature_lost_while_the_whole_account_went_quiet_is_not_a_feature_gap():
    adopted = pd.Timestamp("2026-01-15")
    rows = pd.DataFrame(
        [
            gap(first_adopted_date=adopted, account_active_users_30d=2),  # quiet: lapsed
            gap(first_adopted_date=adopted, account_active_users_30d=3),  # still active
            gap(first_adopted_date=None, account_active_users_30d=1),  # never adopted: a gap
            gap(first_adopted_date=adopted, account_active_users_30d=None),  # no activity at all
        ]
    )
    assert lapsed_in_quiet_account(rows).tolist() == [True, False, False, True]


def test_a_dip_in_months_of_established_use_is_not_an_adoption_gap():
    adopted = pd.Timestamp("2026-01-15")
    rows = pd.DataFrame(
        [
            gap(first_adopted_date=adopted, use_span_days=200, use_pace=1.1),  # a dip
            gap(first_adopted_date=adopted, use_span_days=200, use_pace=0.3),  # feeble use
            gap(first_adopted_date=adopted, use_span_days=60, use_pace=1.1),  # not for long
            gap(first_adopted_date=None, use_span_days=200, use_pace=1.1),  # never adopted
            gap(first_adopted_date=adopted, use_span_days=None, use_pace=None),
        ]
    )
    assert established_use_dip(rows).tolist() == [True, False, False, False, False]


def test_alert_cap_per_csm_keeps_critical_first_then_priority():
    rows = pd.DataFrame(
        [gap(feature_key=f"f{i}", severity="warning", priority_score=float(i)) for i in range(5)]
        + [gap(feature_key="fc", severity="critical", priority_score=0.0)]
        + [gap(feature_key="fi", severity="info", priority_score=99.0)]
        + [gap(feature_key="g1", csm_owner="csm-2", severity="warning")]
    )
    pushed = apply_alert_cap(rows, cap=3)
    assert rows.loc[pushed, "feature_key"].tolist() == ["f3", "f4", "fc", "g1"]
    assert pushed.sum() == 4 and len(pushed) == len(rows)  # nothing dropped


def test_advanced_gaps_wait_while_a_core_gap_is_open():
    rows = pd.DataFrame(
        [
            gap(account_id="A1", feature_key="core1", severity="warning", priority_score=1.0),
            gap(account_id="A1", feature_key="adv1", severity="critical", category="advanced"),
            gap(account_id="A1", feature_key="prem1", severity="warning", category="premium"),
            # A2's core gap is info (not relevant): nothing holds its advanced gap back.
            gap(account_id="A2", feature_key="core2", severity="info"),
            gap(account_id="A2", feature_key="adv2", severity="warning", category="advanced"),
        ]
    )
    held = held_for_core_first(rows)
    assert held.tolist() == [False, True, True, False, False]
    rows["is_held_for_core"] = held
    pushed = apply_alert_cap(rows, cap=10)
    assert rows.loc[pushed, "feature_key"].tolist() == ["core1", "adv2"]
    # Once the core feature is adopted (its gap gone), the advanced ones are pushed.
    later = rows.iloc[1:3].copy()
    later["is_held_for_core"] = held_for_core_first(later)
    assert not later["is_held_for_core"].any()
    assert apply_alert_cap(later, cap=10).all()


def test_recommendation_uses_measured_rates_with_shrinkage():
    interventions = pd.DataFrame(
        {
            "feature_key": ["reports"] * 20 + ["reports"] * 20 + ["reports"] * 2,
            "intervention_type": ["training"] * 20
            + ["in_app_guide"] * 20
            + ["technical_onboarding"] * 2,
            "is_adopted_within_60d": [True] * 16
            + [False] * 4
            + [True] * 4
            + [False] * 16
            + [True] * 2,
            "started_at": [AS_OF - pd.Timedelta(days=90)] * 42,
        }
    )
    # An intervention started 30 days ago has no known outcome yet: it must not count.
    recent = interventions.head(1).assign(
        started_at=AS_OF - pd.Timedelta(days=30), is_adopted_within_60d=False
    )
    measured = effectiveness(pd.concat([interventions, recent]), AS_OF)
    assert measured.overall == pytest.approx(22 / 42)
    counts = intervention_counts(pd.concat([interventions, recent]), AS_OF)
    assert counts == {"training": 20, "in_app_guide": 20, "technical_onboarding": 2}
    one = pd.DataFrame({"feature_key": ["reports"], "root_cause": ["training"]})
    result = recommend(one, measured, counts, pd.Series(["in_app_guide"]))
    assert result["recommended_action"].iloc[0] == "training"
    assert result["action_basis"].iloc[0] == "measured rates"
    # Product fit's candidates were tried twice at most: the playbook's action, whatever it is.
    unfit = one.assign(root_cause="product_fit")
    result = recommend(unfit, measured, counts, pd.Series(["success_plan"]))
    assert result["recommended_action"].iloc[0] == "success_plan"
    assert result["action_basis"].iloc[0] == "playbook"
    assert result["intervention_sample_size"].iloc[0] == 0
    rate, n = measured.rate_for("reports", "technical_onboarding")
    assert n == 2 and rate < 0.8  # 2 of 2 adopted, shrunk well below 1.0
    assert measured.rate_for("reports", "training")[0] < 16 / 20  # shrunk toward the overall
    empty = effectiveness(interventions.iloc[0:0], AS_OF)
    assert empty.rate_for("reports", "training") == (0.25, 0)  # the documented prior


def _alerts(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "alert_id": [alert_id(a, f) for a, f in pairs],
            "alert_type": "adoption_gap",
            "account_id": [a for a, _ in pairs],
            "feature_key": [f for _, f in pairs],
            "severity": "warning",
            "csm_owner": "csm-1",
            "summary": "s",
            "gap_severity": "warning",
            "is_pushed": True,
            "priority_score": 1.0,
        }
    )


def test_alert_merge_keeps_first_seen_resolves_and_is_idempotent():
    day1, day2 = AS_OF, AS_OF + pd.Timedelta(days=1)
    first = merge_alerts(None, _alerts(("A1", "x"), ("A2", "y")), day1)
    assert set(first["status"]) == {"open"} and (first["first_seen_at"] == day1).all()
    second = merge_alerts(first, _alerts(("A1", "x"), ("A3", "z")), day2)
    by_id = second.set_index("account_id")
    assert by_id.loc["A1", "first_seen_at"] == day1 and by_id.loc["A1", "last_seen_at"] == day2
    assert by_id.loc["A3", "first_seen_at"] == day2
    assert by_id.loc["A2", "status"] == "resolved" and by_id.loc["A2", "resolved_at"] == day2
    assert by_id.loc["A2", "last_seen_at"] == day1
    again = merge_alerts(second, _alerts(("A1", "x"), ("A3", "z")), day2)
    pd.testing.assert_frame_equal(again, second)
    assert alert_id("A1", "x") == alert_id("A1", "x") != alert_id("A1", "y")


class FailingSwap:
    """A connection that fails on the second rename, i.e. in the middle of the swap."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.renames = con, 0

    def execute(self, sql: str, *args):
        if sql.startswith("alter table"):
            self.renames += 1
            if self.renames == 2:
                raise duckdb.Error("simulated failure")
        return self.con.execute(sql, *args)

    def register(self, *args):
        return self.con.register(*args)

    def unregister(self, *args):
        return self.con.unregister(*args)


def test_publish_is_atomic_and_keeps_contract_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    old = _alerts(("A1", "x")).assign(first_seen_at=AS_OF, last_seen_at=AS_OF, status="open")
    publish(con, {"adoption_alerts": old}, AS_OF)
    columns = [row[0] for row in con.execute("describe marts.adoption_alerts").fetchall()]
    assert columns[: len(ADOPTION_ALERTS)] == list(ADOPTION_ALERTS)
    scores = pd.DataFrame(
        {
            "account_id": ["A1"],
            "scored_at": [AS_OF],
            "churn_probability": [0.2],
            "risk_tier": ["low"],
            "top_risk_drivers": ["x"],
            "model_name": ["m"],
            "model_version": ["1"],
        }
    )
    new = _alerts(("A9", "z")).assign(first_seen_at=AS_OF, last_seen_at=AS_OF, status="open")
    with pytest.raises(duckdb.Error, match="simulated"):
        publish(FailingSwap(con), {"adoption_alerts": new, "account_scores": scores}, AS_OF)
    # Rolled back: the old alerts are intact; account_scores and its history never appeared.
    assert con.execute("select account_id from marts.adoption_alerts").fetchall() == [("A1",)]
    tables = {
        row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()
    }
    assert "account_scores" not in tables and "account_scores_history" not in tables
    with pytest.raises(ValueError, match="lacks contract columns"):
        publish(con, {"account_scores": scores.drop(columns="risk_tier")}, AS_OF)
    con.close()


def test_priority_is_arr_at_risk_by_depth_share_renewal_and_a_tenth_of_expansion():
    gaps = impact_inputs()
    scored = add_impact(gaps, np.array([0.2, 0.2, 0.2]))
    assert scored.arr_at_risk.tolist() == [6000.0, 6000.0, 6000.0]
    assert scored.expansion_value.tolist() == [0.0, 3000.0, 0.0]  # premium: 3 % of ARR
    # Far from renewal: ARR at risk alone; at the renewal date x1.25, plus a tenth of expansion,
    # times the chance the account needs it: the geometric mean of the peers' estimate (half its
    # peers use it; the account that tried it: odds 1:1 doubled, 2/3) and the root-cause
    # model's probability of a real gap.
    assert scored.priority_score.tolist() == pytest.approx(
        [6000.0, (6000.0 * 1.25 + 300.0) * 0.5, 6000.0 * (2 / 3 * 0.96) ** 0.5], abs=0.01
    )
    assert scored.priority_score.iloc[2] == pytest.approx(4800.0, abs=0.01)


def test_need_probability_raises_the_odds_of_a_tried_feature_only():
    from uptake.scoring.relevance import TRIED_NEED_ODDS_FACTOR, need_probability, own_use

    gaps = pd.DataFrame(
        {
            "relevance": [0.2, 0.2, 0.2, 0.2, None, 0.0, 1.0],
            "adoption_status": [
                "never_used",
                "trying",
                "abandoned",
                "trying",  # two events in all its history: a stray click
                "trying",
                "trying",
                "abandoned",
            ],
            "events_to_date": [0, 30, 12, 2, 30, 30, 30],
        }
    )
    need = need_probability(gaps["relevance"], own_use(gaps))
    raised = 0.2 * TRIED_NEED_ODDS_FACTOR / (0.2 * TRIED_NEED_ODDS_FACTOR + 0.8)
    assert need.tolist() == pytest.approx([0.2, raised, raised, 0.2, 1.0, 0.0, 1.0])
    assert 0.2 < raised < 1.0


def test_evidence_is_json_with_missing_values_of_every_kind():
    import json

    from uptake.scoring.narrative import evidence

    row = pd.Series(
        gap(
            unused_for_days=pd.NA,  # a nullable integer from the warehouse, never used
            predicted_intent_tickets=0,
            intent_model="keyword-rule",
            relevance=float("nan"),
            entitled_date=pd.NaT,
        )
    )
    parsed = json.loads(evidence(row))
    assert parsed["unused_for_days"] is None and parsed["relevance"] is None


def _summary_row(**overrides) -> pd.Series:
    """A scored training gap of Acme's, adopted once, as the summary reads it."""
    return pd.Series(
        gap(
            account_name="Acme",
            plan="growth",
            feature_name="Reports",
            expected_days_to_adopt=30,
            root_cause="training",
            root_cause_confidence=0.6,
            arr_at_risk=1200.0,
            recommended_action="training",
            adoption_probability_if_engaged=0.4,
            first_adopted_date=pd.Timestamp("2026-01-15"),
            **overrides,
        )
    )


def test_the_summary_of_a_lapse_in_a_quiet_account_says_it_is_the_accounts_problem():
    from uptake.scoring.narrative import summary

    row = _summary_row(account_active_users_30d=1, is_lapsed_in_quiet_account=True)
    text = summary(row)
    assert "adopted on 2026-01-15" in text and "1 active user(s) in 30 days" in text
    assert "not pushed" in text
    assert "gone quiet" not in summary(
        pd.Series({**row.to_dict(), "is_lapsed_in_quiet_account": False})
    )


def test_summaries_say_why_a_dip_or_a_held_advanced_gap_is_not_pushed():
    from uptake.scoring.narrative import summary

    row = _summary_row(use_span_days=200, use_pace=1.1)
    assert "not pushed" not in summary(row)
    dip = summary(pd.Series({**row.to_dict(), "is_established_use_dip": True}))
    assert "used for 200 days at 110% of its active pace" in dip and "not pushed" in dip
    held = summary(pd.Series({**row.to_dict(), "is_held_for_core": True}))
    assert "Held back, not pushed" in held and "core features" in held
    assert "likely a real gap: 80%" in summary(row)  # the model's gap_probability
    in_use = summary(pd.Series({**row.to_dict(), "is_likely_no_gap": True}))
    assert "in use or still early" in in_use and "not pushed" in in_use


def test_a_summary_says_when_the_playbook_chose_the_action():
    from uptake.scoring.narrative import summary

    row = _summary_row(action_basis="model")
    assert "playbook" not in summary(row)
    playbook = summary(pd.Series({**row.to_dict(), "action_basis": "playbook"}))
    assert "Suggested next step (playbook: too few past interventions to compare)" in playbook


def test_playbook_sends_a_never_used_feature_in_onboarding_to_technical_onboarding():
    rows = pd.DataFrame(
        [
            gap(root_cause="urgency", entitled_for_days=183),  # six months in: onboarding
            gap(root_cause="training", entitled_for_days=183),
            gap(root_cause="urgency", entitled_for_days=360),  # a year in: no longer
            gap(root_cause="urgency", entitled_for_days=183, adoption_status="trying"),
            # one or two events in all its history is a stray click: still never used
            gap(root_cause="urgency", entitled_for_days=183, adoption_status="trying",
                events_to_date=2),
            gap(root_cause="not_relevant", entitled_for_days=183),
            gap(root_cause="product_fit", entitled_for_days=183),
            gap(root_cause="urgency", entitled_for_days=183, account_id="A2"),  # onboarded
        ]
    )  # fmt: skip
    interventions = pd.DataFrame(
        {
            "account_id": ["A2", "A1", "A1"],
            "intervention_type": ["technical_onboarding", "technical_onboarding", "training"],
            # A1's technical onboarding lies after the scoring day: not yet recorded
            "started_at": [AS_OF - pd.Timedelta(days=150), AS_OF + pd.Timedelta(days=1), AS_OF],
        }
    )
    onboarded = onboarded_accounts(interventions, AS_OF)
    assert onboarded == {"A2"}
    assert list(playbook_actions(rows, onboarded)) == [
        "technical_onboarding",
        "technical_onboarding",
        "exec_alignment",
        "exec_alignment",
        "technical_onboarding",
        "success_plan",
        "technical_onboarding",
        "exec_alignment",
    ]


def test_playbook_names_the_column_it_lacks():
    rows = pd.DataFrame([gap(root_cause="urgency")])  # no entitled_for_days
    with pytest.raises(KeyError, match="entitled_for_days"):
        playbook_actions(rows, set())


def test_read_evidence_gives_a_dict_for_any_stored_value():
    from uptake.scoring.narrative import evidence, read_evidence

    row = pd.Series(gap(predicted_intent_tickets=0, intent_model="keyword-rule"))
    assert read_evidence(evidence(row))["status"] == "never_used"
    assert read_evidence({"rule_cause": "training"}) == {"rule_cause": "training"}
    for stored in (None, float("nan"), "", "not json", "[1, 2]", 3):
        assert read_evidence(stored) == {}


def test_a_summary_gives_the_models_reasons_for_the_cause_in_words():
    from uptake.scoring.cause_model import CAUSE_SIGNALS
    from uptake.scoring.narrative import SIGNAL_TEXT, summary

    assert set(SIGNAL_TEXT) == set(CAUSE_SIGNALS)  # every reason the model can give has words
    row = _summary_row(how_to_tickets=2, cause_signals="how_to_tickets, light_trial")
    text = summary(row)
    assert (
        "(2 how-to ticket(s); what points to it most: how-to tickets, tried it only lightly)"
        in (text)
    )
    for missing in ("", None, float("nan")):
        plain = summary(pd.Series({**row.to_dict(), "cause_signals": missing}))
        assert "(2 how-to ticket(s))" in plain and "points to it" not in plain

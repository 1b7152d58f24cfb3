"""score_all end to end on the fixture marts: contract, idempotency, fallbacks, champions."""

from __future__ import annotations

import json
from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from mart_fixtures import AS_OF, build_marts, write_marts

from uptake.ml.churn_prior import CHURN_PRIOR
from uptake.scoring import score_all
from uptake.scoring.contract import TABLES
from uptake.settings import get_settings


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        settings = get_settings({"UPTAKE_HOME": str(tmp_path_factory.mktemp("scoring_home"))})
        for key, value in settings.tool_env().items():
            patch.setenv(key, value)
        settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
        frames = build_marts()
        write_marts(settings.warehouse_path, frames)
        # Fixture marts: most tests score them untrained, with the rules (champions optional).
        yield replace(settings, alert_cap_per_csm=5, champions="optional"), frames


def _table(settings, name: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(f"select * from marts.{name} order by all").fetchdf()
    finally:
        con.close()


@pytest.fixture(scope="module")
def first_run(home):
    settings, _ = home
    summary = score_all(settings)
    return summary, {name: _table(settings, name) for name in TABLES}


def test_without_champions_the_churn_prior_scores_and_says_so(home, first_run):
    summary, tables = first_run
    assert summary.model_name == CHURN_PRIOR and summary.intent_model.startswith("keyword-rule")
    scores = tables["account_scores"]
    assert (scores["model_name"] == CHURN_PRIOR).all()
    assert scores["churn_probability"].between(0, 1).all()
    # The fallback is Platt-scaled on closed renewals: it sits near the observed churn rate.
    renewals = home[1]["fct_renewal_outcomes"]
    churn_rate = renewals.loc[renewals["is_closed"], "is_churned"].mean()
    assert abs(scores["churn_probability"].mean() - churn_rate) < 0.1
    assert (scores["scored_at"] == pd.Timestamp(AS_OF)).all()


def test_never_trained_scoring_fails_naming_each_model_and_writes_nothing(home, first_run):
    from uptake.scoring.run import MissingChampionError

    settings, _ = home
    before = {name: _table(settings, name) for name in TABLES}
    for mode in ("decided", "required"):  # decided is the default
        with pytest.raises(MissingChampionError) as failure:
            score_all(replace(settings, champions=mode))
        message = str(failure.value)
        assert f"UPTAKE_CHAMPIONS={mode}" in message
        for name in ("uptake-churn", "uptake-ticket-intent", "uptake-adoption"):
            assert f"{name} has no champion: no version was ever registered" in message
    for name in TABLES:  # nothing was written
        pd.testing.assert_frame_equal(_table(settings, name), before[name], check_dtype=False)
    assert get_settings({}).champions == "decided"
    with pytest.raises(ValueError, match="UPTAKE_CHAMPIONS"):
        get_settings({"UPTAKE_CHAMPIONS": "sometimes"})


def test_a_broken_root_cause_model_stops_scoring_naming_it_and_writes_nothing(
    home, first_run, tmp_path
):
    import shutil

    from uptake.scoring.cause_model import CauseModelError

    settings, _ = home
    before = {name: _table(settings, name) for name in TABLES}
    # A project whose ml/ folder holds the shipped specs and a root-cause model without its
    # decision table, then none at all.
    shutil.copytree(settings.ml_config_dir, tmp_path / "ml")
    broken = replace(settings, project_root=tmp_path)
    model = tmp_path / "ml" / "root_cause.toml"
    model.write_text(model.read_text().replace("[decision]", "[decisions]"))
    with pytest.raises(CauseModelError, match="missing key 'decision'"):
        score_all(broken)
    model.unlink()
    with pytest.raises(CauseModelError, match=r"no root-cause model at .*root_cause\.toml"):
        score_all(broken)
    for name in TABLES:  # nothing was written
        pd.testing.assert_frame_equal(_table(settings, name), before[name], check_dtype=False)


def test_tables_carry_the_contract_columns_and_every_gap(home, first_run):
    _, frames = home
    summary, tables = first_run
    for name, columns in TABLES.items():
        assert list(tables[name].columns[: len(columns)]) == list(columns), name
    adoption = frames["account_feature_adoption"]
    expected = adoption[adoption["adoption_status"] != "adopted"]
    gaps = tables["adoption_gaps"]
    assert len(gaps) == len(expected) == summary.rows["adoption_gaps"]
    assert set(gaps["gap_type"]) <= {"trying", "abandoned", "never_used"}
    assert set(gaps["root_cause"]) <= {"training", "product_fit", "urgency", "not_relevant"}
    assert (gaps.loc[gaps["root_cause"] == "not_relevant", "severity"] == "info").all()
    assert gaps["adoption_probability_if_engaged"].between(0, 1).all()
    assert (gaps["arr_at_risk"] >= 0).all() and gaps["summary"].str.len().gt(80).all()
    evidence = json.loads(gaps["evidence"].iloc[0])
    assert {"status", "how_to_tickets", "peer_adoption_rate", "cause_signals"} <= set(evidence)
    assert evidence["rule_cause"] in {"training", "product_fit", "urgency", "not_relevant"}
    assert sum(summary.gaps_by_severity.values()) == len(gaps)


def test_alert_cap_per_csm(home, first_run):
    settings, _ = home
    _, tables = first_run
    alerts = tables["adoption_alerts"]
    pushed = alerts[alerts["is_pushed"]]
    assert pushed.groupby("csm_owner").size().max() <= settings.alert_cap_per_csm
    assert (alerts.loc[~alerts["is_pushed"], "severity"] == "info").all()
    gaps = tables["adoption_gaps"]
    assert len(alerts) == gaps["severity"].isin(["critical", "warning"]).sum()


def test_rerun_is_idempotent_and_a_closed_gap_resolves_its_alert(home, first_run):
    settings, frames = home
    _, tables = first_run
    score_all(settings)
    for name in TABLES:
        pd.testing.assert_frame_equal(_table(settings, name), tables[name], check_dtype=False)

    alerts = tables["adoption_alerts"]
    closed = alerts.iloc[0]
    adoption = frames["account_feature_adoption"].copy()
    hit = (adoption["account_id"] == closed["account_id"]) & (
        adoption["feature_key"] == closed["feature_key"]
    )
    adoption.loc[hit, "adoption_status"] = "adopted"
    candidates = frames["fct_gap_candidates_every_30_days"]
    adopted = (
        (candidates["account_id"] == closed["account_id"])
        & (candidates["feature_key"] == closed["feature_key"])
        & candidates["is_as_of_day"]
    )  # an adopted feature is no gap candidate any more
    write_marts(
        settings.warehouse_path,
        {
            "account_feature_adoption": adoption,
            "fct_gap_candidates_every_30_days": candidates[~adopted],
        },
    )
    next_day = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    score_all(settings, next_day.date())
    after = _table(settings, "adoption_alerts").set_index("alert_id")
    assert after.loc[closed["alert_id"], "status"] == "resolved"
    assert after.loc[closed["alert_id"], "resolved_at"] == next_day
    still = alerts.iloc[1]["alert_id"]
    assert after.loc[still, "first_seen_at"] == pd.Timestamp(AS_OF)
    assert after.loc[still, "last_seen_at"] == next_day


def test_champions_are_used_when_they_exist(home):
    from uptake.ml import train_all

    settings, _ = home
    reports = {r.model_name: r for r in train_all(settings, AS_OF)}
    assert reports["uptake-churn"].promoted
    # The fixture's gap history is too short for an adoption champion: when required, scoring
    # fails naming that model only, with the reason training gave.
    from uptake.scoring.run import MissingChampionError

    adoption = reports["uptake-adoption"]
    assert not adoption.promoted
    with pytest.raises(MissingChampionError, match="uptake-adoption has no champion") as err:
        score_all(replace(settings, champions="required"), AS_OF)
    assert "uptake-churn" not in str(err.value) and "uptake-ticket-intent" not in str(err.value)
    # By default the rule stands in for adoption: its training decided so (recorded on the run).
    settings = replace(settings, champions="decided")
    # The day after AS_OF was scored already: scoring AS_OF again is a backfill, so it is the
    # history that shows the champion's scores for that day.
    summary = score_all(settings, AS_OF)
    assert (summary.model_name, summary.model_version) == ("uptake-churn", "1")
    assert not summary.published_latest
    gaps = _table(settings, "adoption_gaps_history")
    gaps = gaps[gaps["scored_at"] == pd.Timestamp(AS_OF)]
    assert len(gaps) and (gaps["model_version"] == "1").all()
    scores = _table(settings, "account_scores_history")
    scores = scores[scores["scored_at"] == pd.Timestamp(AS_OF)]
    assert scores["top_risk_drivers"].str.contains("vs median").any()
    # Scoring the latest day with the champion moves the latest tables.
    next_day = (pd.Timestamp(AS_OF) + pd.Timedelta(days=1)).date()
    assert score_all(settings, next_day).published_latest
    assert (_table(settings, "adoption_gaps")["model_version"] == "1").all()
    latest = _table(settings, "adoption_gaps")
    # No adoption model: measured rates choose, or the playbook where they are too thin.
    assert latest["action_basis"].isin(["measured rates", "playbook"]).all()
    assert (latest["adoption_model"] == "none").all()


def test_a_champion_removed_after_training_fails_scoring_by_default(home):
    """Training left churn v1 in charge; without it scoring refuses rather than quietly
    scoring with the rule. Runs after test_champions_are_used_when_they_exist (same home)."""
    from mlflow import MlflowClient

    from uptake.ml.registry import CHAMPION
    from uptake.scoring.run import MissingChampionError

    settings = replace(home[0], champions="decided")
    client = MlflowClient(settings.mlflow_tracking_uri)
    client.delete_registered_model_alias("uptake-churn", CHAMPION)
    try:
        with pytest.raises(MissingChampionError) as failure:
            score_all(settings, AS_OF)
        message = str(failure.value)
        assert "uptake-churn has no champion" in message
        assert "version 1 was promoted" in message and "alias has been removed" in message
        assert "left champion v1 in charge, which is gone" in message
        assert "uptake-adoption" not in message  # its rule was decided by training
        assert score_all(home[0], AS_OF).model_name == CHURN_PRIOR  # optional
        # A latest run with no decision recorded (it failed, or predates the tag): say so.
        experiment = client.get_experiment_by_name("uptake-churn")
        latest = client.search_runs(
            [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1
        )[0]
        basis = latest.data.tags["scoring_basis"]
        client.delete_tag(latest.info.run_id, "scoring_basis")
        try:
            with pytest.raises(MissingChampionError, match="recorded no decision") as failure:
                score_all(settings, AS_OF)
            assert "it failed, or ran before training recorded one: train again" in str(
                failure.value
            )
        finally:
            client.set_tag(latest.info.run_id, "scoring_basis", basis)
    finally:
        client.set_registered_model_alias("uptake-churn", CHAMPION, "1")


def test_history_keeps_every_day_and_a_backfill_leaves_the_latest_alone(tmp_path, monkeypatch):
    settings = get_settings({"UPTAKE_HOME": str(tmp_path / "home"), "UPTAKE_CHAMPIONS": "optional"})
    for key, value in settings.tool_env().items():
        monkeypatch.setenv(key, value)
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    write_marts(settings.warehouse_path, build_marts())
    day1 = pd.Timestamp(AS_OF).date()
    day2 = (pd.Timestamp(AS_OF) + pd.Timedelta(days=7)).date()

    score_all(settings, day1)
    score_all(settings, day2)
    latest = {name: _table(settings, name) for name in TABLES}
    backfill = score_all(settings, day1)  # an older day again

    assert not backfill.published_latest
    for name in TABLES:  # the latest tables still show the second day
        pd.testing.assert_frame_equal(_table(settings, name), latest[name], check_dtype=False)
    assert set(latest["account_scores"]["scored_at"]) == {pd.Timestamp(day2)}
    # Week over week is defined (the first day is 7 days back: same marts, no change); month
    # over month has no day to compare with yet.
    assert (latest["account_scores"]["adoption_score_change_7d"] == 0).all()
    assert latest["account_scores"]["adoption_score_change_30d"].isna().all()
    assert set(latest["adoption_alerts"]["alert_type"]) <= {
        "adoption_gap",
        "score_drop",
        "usage_decline",
        "expansion_ready",
    }
    for history, key in (
        ("account_scores_history", ["account_id"]),
        ("adoption_gaps_history", ["account_id", "feature_key"]),
        ("account_adoption_history", ["account_id"]),
    ):
        frame = _table(settings, history)
        assert set(frame["scored_at"]) == {pd.Timestamp(day1), pd.Timestamp(day2)}, history
        assert not frame.duplicated([*key, "scored_at"]).any(), history  # nothing duplicated
        per_day = frame.groupby("scored_at").size()
        assert per_day.nunique() == 1, history

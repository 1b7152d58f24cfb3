"""The two worked examples of the domain (docs/scoring.md, "Worked examples"), each a small
landing zone run through extract, dbt build and scoring, scored with champions.

A zone of one account and its peers holds too few renewals and gap outcomes to train on, so the
champions come first from a simulated company (150 accounts x 18 months, the demo's size) in the
same MLflow store; none of the models reads a feature key, so they apply to another catalog.
The intent and adoption models must be champions; churn is scored by whichever won on the
holdout, the company's own model or the cross-company churn prior (a fitted model too). Scoring
runs with UPTAKE_CHAMPIONS=decided: only a fallback that training chose may stand in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from worked_examples import acme_zone, four_accounts_zone, write_zone

from uptake.ml.churn_prior import CHURN_PRIOR
from uptake.settings import Settings, get_settings

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLAGGED = ("critical", "warning")


def _settings(root: Path, mlflow_uri: str | None = None) -> Settings:
    settings = get_settings({"UPTAKE_HOME": str(root / "home"), "UPTAKE_CHAMPIONS": "decided"})
    settings = replace(settings, landing_dir=root / "landing")
    if mlflow_uri is not None:
        settings = replace(settings, mlflow_tracking_uri=mlflow_uri)
    return settings


@dataclass(frozen=True)
class Champions:
    mlflow_uri: str
    churn_scorer: str  # the model_name the churn scores carry


@pytest.fixture(scope="module")
def champions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Champions]:
    """Train every model on a simulated company; yields the MLflow store and the churn scorer."""
    from uptake.extract import extract_all
    from uptake.ml import train_all
    from uptake.simulation import simulate
    from uptake.transform import run_dbt_build

    root = tmp_path_factory.mktemp("champions")
    simulate(root / "landing", accounts=150, months=18, seed=7)
    settings = _settings(root)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.tool_env().items():
            patch.setenv(key, value)
        settings.apply()
        extract_all(settings)
        run_dbt_build(settings)
        reports = {r.model_name: r for r in train_all(settings)}
        for name in ("uptake-ticket-intent", "uptake-adoption"):
            assert reports[name].promoted, (name, reports[name].reason)
        churn = reports["uptake-churn"]
        assert churn.promoted or "cross-company churn prior" in churn.reason, churn.reason
        yield Champions(
            settings.mlflow_tracking_uri, "uptake-churn" if churn.promoted else CHURN_PRIOR
        )


def _run(zone, root: Path, champions: Champions) -> dict[str, pd.DataFrame]:
    """extract -> dbt build -> score for ``zone``; the scored tables, read back."""
    from uptake.extract import extract_all
    from uptake.scoring import score_all
    from uptake.transform import run_dbt_build

    settings = _settings(root, champions.mlflow_uri)
    write_zone(zone, settings.landing_dir)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.tool_env().items():
            patch.setenv(key, value)
        settings.apply()
        loaded = extract_all(settings, as_of=zone.as_of)
        assert loaded.totals()["rows_quarantined"] == 0
        run_dbt_build(settings, as_of_date=zone.as_of)
        summary = score_all(settings, zone.as_of)
    assert summary.model_name == champions.churn_scorer
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        tables = ("account_scores", "account_adoption", "adoption_gaps", "adoption_alerts")
        return {t: con.execute(f"select * from marts.{t}").df() for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def acme(champions: Champions, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    return _run(acme_zone(), tmp_path_factory.mktemp("acme"), champions)


@pytest.fixture(scope="module")
def four(champions: Champions, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    return _run(four_accounts_zone(), tmp_path_factory.mktemp("four"), champions)


def _gaps(tables: dict[str, pd.DataFrame], account_id: str) -> pd.DataFrame:
    gaps = tables["adoption_gaps"]
    return (
        gaps[gaps["account_id"] == account_id]
        .sort_values("priority_score", ascending=False)
        .reset_index(drop=True)
    )


# --- the onboarding example: Acme Corp's top three gaps ----------------------------------------
def test_acme_top_gaps_are_the_integration_then_workflows_then_the_mobile_app(acme) -> None:
    gaps = _gaps(acme, "001ACME")
    flagged = gaps[gaps["severity"].isin(FLAGGED)]
    assert list(flagged["feature_key"]) == [
        "salesforce_integration",
        "workflow_automation",
        "mobile_app",
    ]
    assert list(gaps["feature_key"][:3]) == list(flagged["feature_key"])
    # Peers of the same use case use the integration most: that is what ranks it first.
    top = flagged.iloc[0]
    assert top["relevance_basis"] == "use_case" and top["use_case_peer_rate"] == 0.85
    assert top["adoption_status"] == "never_used" and top["arr_at_risk"] > 0
    # Two report views a month are use (depth), not a missing feature.
    assert "advanced_reporting" not in set(gaps["feature_key"])


def test_acme_integration_gap_calls_for_technical_onboarding(acme) -> None:
    # Six months in, never set up, no intervention on record: the playbook's onboarding action.
    top = _gaps(acme, "001ACME").iloc[0]
    assert top["feature_key"] == "salesforce_integration"
    assert top["recommended_action"] == "technical_onboarding"
    assert top["action_basis"] == "playbook"
    assert "playbook" in top["summary"] and "technical onboarding session" in top["summary"]


# --- the scoring example: accounts A, B, C, D -----------------------------------------------
def _account_priority(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per account, its flagged gaps' best severity and highest priority: the order in which
    a CSM's alert list reaches the account."""
    gaps = tables["adoption_gaps"]
    flagged = gaps[gaps["severity"].isin(FLAGGED)].assign(
        severity_rank=lambda g: g["severity"].map({"critical": 0, "warning": 1})
    )
    return (
        flagged.groupby("account_id")
        .agg(severity_rank=("severity_rank", "min"), priority=("priority_score", "max"))
        .sort_values(["severity_rank", "priority"], ascending=[True, False])
    )


def test_four_accounts_rank_d_then_a_then_c_and_b_has_nothing_flagged(four) -> None:
    ranking = _account_priority(four)
    assert list(ranking.index) == ["001D", "001A", "001C"]
    # B is healthy: nothing flagged, no open alert of any kind, low churn risk.
    assert "001B" not in ranking.index
    b_gaps = _gaps(four, "001B")
    assert set(b_gaps["severity"]) <= {"info"}
    alerts = four["adoption_alerts"]
    assert alerts[(alerts["account_id"] == "001B") & (alerts["status"] == "open")].empty
    scores = four["account_scores"].set_index("account_id")
    assert scores.loc["001B", "risk_tier"] == "low"
    assert scores.loc["001B", "churn_probability"] == scores["churn_probability"].min()
    # D: the lowest adoption score and a falling usage trend.
    adoption = four["account_adoption"].set_index("account_id")
    assert adoption["adoption_score"].idxmin() == "001D"
    assert adoption.loc["001D", "usage_trend_30d"] < 0
    assert list(adoption["adoption_score"].sort_values().index) == ["001D", "001A", "001C", "001B"]


def test_account_c_is_a_support_dependency_to_monitor(four) -> None:
    gaps = _gaps(four, "001C")
    flagged = gaps[gaps["severity"].isin(FLAGGED)]
    assert (flagged["severity"] == "warning").all()  # monitor: nothing critical
    asked = flagged[flagged["how_to_tickets"] > 0]
    # The features its team keeps asking about are read as a training gap, not a missing need.
    assert set(asked["feature_key"]) == {"dashboards", "reports"}
    assert (asked["root_cause"] == "training").all()
    assert (asked["recommended_action"] == "training").all()
    scores = four["account_scores"].set_index("account_id")
    assert "tickets_30d" in scores.loc["001C", "top_risk_drivers"]

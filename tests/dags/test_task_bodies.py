"""uptake.orchestration.tasks, the DAG task bodies, with the heavy steps replaced by fakes."""

from __future__ import annotations

import sys
import types
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

import uptake.quality
from uptake.orchestration import tasks
from uptake.orchestration.run_log import read_step
from uptake.quality import FAIL, FailedExpectation, GateResult, QualityGateFailed, TableResult
from uptake.settings import Settings
from uptake.transform.freshness import FreshnessResult, SourceFreshness, SourceFreshnessError


def _context(
    logical: datetime | None = None, conf: dict[str, Any] | None = None, events: Any = None
) -> dict[str, Any]:
    return {
        "dag_run": SimpleNamespace(conf=conf or {}),
        "logical_date": logical,
        "triggering_asset_events": events or {},
        "outlet_events": defaultdict(SimpleNamespace),
    }


def _event(day: str | None) -> SimpleNamespace:
    return SimpleNamespace(extra={tasks.AS_OF_KEY: day} if day else {})


def test_as_of_date_prefers_conf_then_logical_date_then_asset_events() -> None:
    logical = datetime(2026, 3, 2, tzinfo=UTC)
    events = {tasks.RAW: [_event("2026-02-27"), _event(None)], tasks.MODELS: [_event("2026-02-28")]}

    assert tasks.as_of_date(_context(logical, conf={"as_of_date": "2026-01-31"})) == date(
        2026, 1, 31
    )
    assert tasks.as_of_date(_context(logical, events=events)) == date(2026, 3, 2)
    # The trigger form's as_of_date param (validated as a date by Airflow) counts like conf.
    with_param = {**_context(logical, events=events), "params": {"as_of_date": "1998-05-31"}}
    assert tasks.as_of_date(with_param) == date(1998, 5, 31)
    # Asset-triggered runs have no logical date: the upstream's as-of travels in the event.
    assert tasks.as_of_date(_context(None, events=events)) == date(2026, 2, 28)
    assert tasks.as_of_date(_context(None)) is None


def _fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes: Any) -> None:
    module = types.ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


def _source(status: str) -> SourceFreshness:
    return SourceFreshness(
        source="raw.product_events",
        status=status,
        newest_delivery=date(2026, 1, 2),
        age_days=59.0,
        warn_after="2 day",
        error_after="30 day",
    )


def _fake_transform(
    monkeypatch: pytest.MonkeyPatch,
    run_dbt_build: Any,
    build_error: type[Exception] = RuntimeError,
    freshness_status: str = "pass",
) -> list[date | None]:
    """Fake uptake.transform; returns the as-of dates freshness was checked for."""
    checked: list[date | None] = []

    def run_source_freshness(settings: Settings, as_of_date: date | None = None) -> Any:
        checked.append(as_of_date)
        result = FreshnessResult(as_of_date, [_source(freshness_status)])
        if not result.success:
            raise SourceFreshnessError(result)
        return result

    _fake_module(
        monkeypatch,
        "uptake.transform",
        DbtBuildError=build_error,
        run_dbt_build=run_dbt_build,
        SourceFreshnessError=SourceFreshnessError,
        run_source_freshness=run_source_freshness,
    )
    return checked


def test_extract_falls_back_to_the_latest_delivery_and_publishes_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = SimpleNamespace(
        totals=lambda: {"rows_loaded": 7},
        as_rows=lambda: [],
        pulls=[],
        future_deliveries=[],
        raw_copy=None,
    )
    days: list[date | None] = []

    def extract_all(settings: Settings, as_of: date | None = None) -> SimpleNamespace:
        days.append(as_of)
        return summary

    _fake_module(
        monkeypatch,
        "uptake.extract",
        extract_all=extract_all,
        latest_delivery_date=lambda landing: date(2026, 3, 1),
    )
    context = _context(None)

    returned = tasks.load_landing_zone(context)

    assert returned == {"as_of_date": "2026-03-01", "rows_loaded": 7}
    assert context["outlet_events"][tasks.RAW].extra == {"as_of_date": "2026-03-01"}
    assert read_step(settings, "extract")["totals"] == {"rows_loaded": 7}
    assert days == [date(2026, 3, 1)]  # pulled sources deliver for the run's day


def test_dbt_failure_fails_the_task_without_retry(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DbtBuildError(Exception):
        pass

    def run_dbt_build(settings: Settings, as_of_date: date | None = None) -> None:
        raise DbtBuildError(f"model account_adoption failed for {as_of_date}")

    _fake_transform(monkeypatch, run_dbt_build, DbtBuildError)

    with pytest.raises(AirflowFailException, match="account_adoption failed for 2026-03-02"):
        tasks.build_marts(_context(datetime(2026, 3, 2, tzinfo=UTC)))
    assert read_step(settings, "transform")["success"] is False


def _gate(*failed: FailedExpectation) -> GateResult:
    return GateResult(
        checkpoint="marts_gate",
        tables=(TableResult(table="marts.account_adoption", rows=2, evaluated=9, failed=failed),),
    )


def test_gate_publishes_marts_only_when_it_passes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uptake.quality, "run_quality_gate", lambda s: _gate())
    passed = _context(datetime(2026, 3, 2, tzinfo=UTC))
    assert tasks.check_marts(passed)["success"] is True
    assert passed["outlet_events"][tasks.MARTS].extra == {"as_of_date": "2026-03-02"}

    bad = FailedExpectation(
        table="marts.account_adoption",
        expectation="expect_column_values_to_be_between",
        severity=FAIL,
        column="adoption_score",
        unexpected_count=1,
    )

    def failing_gate(settings: Settings) -> GateResult:
        raise QualityGateFailed(_gate(bad))

    monkeypatch.setattr(uptake.quality, "run_quality_gate", failing_gate)
    failed = _context(datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(AirflowFailException, match="adoption_score"):
        tasks.check_marts(failed)
    assert tasks.MARTS not in failed["outlet_events"]
    assert read_step(settings, "quality")["failed"] == 1


@dataclass
class _Scoring:
    accounts: int
    rows: dict[str, int]
    alerts_by_csm: dict[str, list[str]]


@dataclass
class _DbtResult:
    target: str
    as_of_date: date | None
    status_counts: dict[str, int]


def test_train_and_score_pass_the_as_of_date_and_return_small_xcoms(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, date | None] = {}

    def train_all(settings: Settings, as_of_date: date | None = None) -> list[str]:
        seen["train"] = as_of_date
        return ["churn", "intent"]

    def score_all(settings: Settings, as_of_date: date | None = None) -> _Scoring:
        seen["score"] = as_of_date
        return _Scoring(accounts=150, rows={"adoption_gaps": 420}, alerts_by_csm={"csm-1": ["a-1"]})

    def run_dbt_build(
        settings: Settings, as_of_date: date | None = None, select: str | None = None
    ) -> _DbtResult:
        # After training, the models reading the persona table are rebuilt for the same day.
        seen["join"] = (as_of_date, select)
        return _DbtResult(target="duckdb", as_of_date=as_of_date, status_counts={"pass": 9})

    _fake_module(monkeypatch, "uptake.ml", train_all=train_all)
    _fake_module(monkeypatch, "uptake.scoring", score_all=score_all)
    _fake_module(
        monkeypatch,
        "uptake.transform",
        DbtBuildError=RuntimeError,
        ML_SOURCE_CONSUMERS="source:ml+",
        run_dbt_build=run_dbt_build,
    )
    events = {tasks.MARTS: [_event("2026-03-02")], tasks.MODELS: [_event("2026-03-02")]}

    trained = tasks.train_models(_context(None, events={tasks.MARTS: events[tasks.MARTS]}))
    scored = tasks.score_accounts(_context(None, events=events))

    assert seen == {
        "train": date(2026, 3, 2),
        "join": (date(2026, 3, 2), "source:ml+"),
        "score": date(2026, 3, 2),
    }
    assert read_step(settings, "train")["ml_consumers"]["status_counts.pass"] == 9
    assert trained == {"as_of_date": "2026-03-02", "models_trained": 2}
    # Counts go to XCom (nested ones flattened one level); lists stay in the run log only.
    assert scored == {"as_of_date": "2026-03-02", "accounts": 150, "rows.adoption_gaps": 420}
    assert read_step(settings, "score")["alerts_by_csm"] == {"csm-1": ["a-1"]}


def test_dbt_build_passes_the_as_of_date_and_returns_counts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run_dbt_build(settings: Settings, as_of_date: date | None = None) -> _DbtResult:
        return _DbtResult(target="duckdb", as_of_date=as_of_date, status_counts={"pass": 42})

    checked = _fake_transform(monkeypatch, run_dbt_build, freshness_status="warn")

    returned = tasks.build_marts(_context(datetime(2026, 3, 2, tzinfo=UTC)))

    assert returned == {
        "as_of_date": "2026-03-02",
        "target": "duckdb",
        "status_counts.pass": 42,
        "sources_warn": 1,  # a warning is reported, the build still ran
    }
    assert checked == [date(2026, 3, 2)]
    assert read_step(settings, "transform")["as_of_date"] == "2026-03-02"
    freshness = read_step(settings, "freshness")
    assert freshness["as_of_date"] == "2026-03-02" and freshness["success"] is True
    assert freshness["sources"][0]["status"] == "warn"


def test_stale_source_fails_the_task_before_the_build(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[date | None] = []
    _fake_transform(
        monkeypatch,
        lambda settings, as_of_date=None: built.append(as_of_date),
        freshness_status="error",
    )

    with pytest.raises(
        AirflowFailException, match=r"raw.product_events \[error\]: newest delivery 2026-01-02"
    ):
        tasks.build_marts(_context(datetime(2026, 3, 2, tzinfo=UTC)))
    assert built == []  # stale inputs never reach the marts
    assert read_step(settings, "freshness")["status_counts"]["error"] == 1
    assert read_step(settings, "transform")["success"] is False

"""A build that failed only on a database deadlock is built again once; other errors are not."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from tests.dbt.harness import isolated_settings
from uptake.transform.build_results import NodeFailure, summarize

DEADLOCK = (
    "Database Error in model stg_catalog__features (models/staging/stg_catalog__features.sql)\n"
    "  deadlock detected\n  DETAIL:  Process 10889 waits for AccessExclusiveLock on object 17374"
)


def _node(unique_id: str, status: str, message: str = "") -> SimpleNamespace:
    node = SimpleNamespace(unique_id=unique_id, resource_type=SimpleNamespace(value="model"))
    return SimpleNamespace(node=node, status=status, message=message)


def _outcome(*nodes: SimpleNamespace) -> SimpleNamespace:
    success = all(n.status != "error" for n in nodes)
    return SimpleNamespace(
        result=SimpleNamespace(results=list(nodes)), success=success, exception=None
    )


def _result(*nodes: SimpleNamespace):
    return summarize(list(nodes), target="postgres", as_of_date=None, elapsed_seconds=0.0)


def test_only_deadlocks_count_as_transient() -> None:
    deadlock = _node("model.uptake.a", "error", DEADLOCK)
    broken = _node("model.uptake.b", "error", "Database Error: column x does not exist")
    skipped = _node("model.uptake.c", "skipped")
    assert _result(deadlock, skipped).failed_only_transiently
    assert not _result(deadlock, broken).failed_only_transiently
    assert not _result(_node("model.uptake.a", "success")).failed_only_transiently
    invocation = _result()
    invocation.failures.append(NodeFailure("dbt", "invocation", "error", "no profile"))
    assert not invocation.failed_only_transiently


class _ScriptedRunner:
    """Stands in for dbtRunner: each invoke returns the next scripted outcome."""

    outcomes: ClassVar[list[SimpleNamespace]] = []
    calls = 0

    def invoke(self, args: list[str]) -> SimpleNamespace:
        type(self).calls += 1
        return type(self).outcomes.pop(0)


@pytest.fixture
def scripted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", _ScriptedRunner)
    _ScriptedRunner.calls = 0
    return isolated_settings(tmp_path / "home", monkeypatch)


def test_a_deadlocked_build_is_built_again_and_succeeds(scripted, caplog) -> None:
    from uptake.transform import run_dbt_build

    _ScriptedRunner.outcomes = [
        _outcome(_node("model.uptake.a", "error", DEADLOCK), _node("model.uptake.b", "skipped")),
        _outcome(_node("model.uptake.a", "success"), _node("model.uptake.b", "success")),
    ]
    result = run_dbt_build(scripted, as_of_date=date(2026, 3, 31), select="a+")
    assert result.success and _ScriptedRunner.calls == 2
    assert "a deadlock in model.uptake.a; building again" in caplog.text


def test_a_second_deadlock_or_any_other_error_fails(scripted) -> None:
    from uptake.transform import DbtBuildError, run_dbt_build

    _ScriptedRunner.outcomes = [
        _outcome(_node("model.uptake.a", "error", DEADLOCK)),
        _outcome(_node("model.uptake.a", "error", DEADLOCK)),
    ]
    with pytest.raises(DbtBuildError, match="deadlock detected"):
        run_dbt_build(scripted, as_of_date=date(2026, 3, 31), select="a+")
    assert _ScriptedRunner.calls == 2  # one retry, not more

    _ScriptedRunner.calls = 0
    _ScriptedRunner.outcomes = [
        _outcome(_node("model.uptake.b", "error", "Database Error: column x does not exist"))
    ]
    with pytest.raises(DbtBuildError, match="column x does not exist"):
        run_dbt_build(scripted, as_of_date=date(2026, 3, 31), select="a+")
    assert _ScriptedRunner.calls == 1  # not retried

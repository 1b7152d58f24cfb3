"""Following a triggered run through the asset chain, against a scripted fake api-server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from uptake.orchestration.server import control
from uptake.orchestration.tasks import AS_OF_KEY

DAGS = ("uptake_extract", "uptake_transform", "uptake_train", "uptake_score")


class FakeApi:
    """Each poll shows the next snapshot of DAG states (``None``: no run yet)."""

    def __init__(self, snapshots: list[dict[str, str | None]]) -> None:
        self._snapshots: Iterator[dict[str, str | None]] = iter(snapshots)
        self._current: dict[str, str | None] = {}
        self.triggered: list[tuple[str, dict[str, Any]]] = []
        self.since: list[str | None] = []

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> dict[str, Any]:
        self.triggered.append((dag_id, conf))
        return {"dag_run_id": "manual__1", "run_after": "2026-11-30T10:00:00Z"}

    def latest_run(self, dag_id: str, run_after_gte: str | None = None) -> dict[str, Any] | None:
        if dag_id == DAGS[0]:
            self._current = next(self._snapshots, self._current)
            self.since.append(run_after_gte)
        state = self._current.get(dag_id)
        if state is None:
            return None
        return {"dag_run_id": f"run_{dag_id}", "state": state, "run_type": "asset_triggered",
                "run_after": "2026-11-30T10:00:01Z", "end_date": None}  # fmt: skip

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        return {"build_marts": "success", "check_marts": "failed"}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(control, "POLL_SECONDS", 0.0)


def test_the_conf_key_is_the_one_the_tasks_read() -> None:
    assert control.AS_OF_KEY == AS_OF_KEY


def test_trigger_starts_extract_with_the_day_in_its_conf() -> None:
    api = FakeApi([])
    control.trigger(api, date(2026, 10, 24))  # type: ignore[arg-type]
    assert api.triggered == [("uptake_extract", {"as_of_date": "2026-10-24"})]


def test_wait_returns_when_score_succeeded_after_the_chain_ran() -> None:
    api = FakeApi(
        [
            {"uptake_extract": "queued"},
            {"uptake_extract": "success", "uptake_transform": "running"},
            {"uptake_extract": "success", "uptake_transform": "success", "uptake_train": "success",
             "uptake_score": "running"},
            dict.fromkeys(DAGS, "success"),
        ]
    )  # fmt: skip
    seen: list[list[control.RunLine]] = []
    lines = control.wait_for_score(api, "2026-11-30T10:00:00Z", on_change=seen.append)  # type: ignore[arg-type]
    assert [line.state for line in lines] == ["success"] * 4
    assert len(seen) == 4
    assert set(api.since) == {"2026-11-30T10:00:00Z"}  # only runs since the trigger count


def test_wait_fails_naming_the_dag_and_its_failed_task() -> None:
    api = FakeApi([{"uptake_extract": "success", "uptake_transform": "failed"}])
    with pytest.raises(control.RunFailed) as error:
        control.wait_for_score(api, "t")  # type: ignore[arg-type]
    assert "uptake_transform run run_uptake_transform failed (check_marts failed)" in str(
        error.value
    )


def test_wait_times_out_naming_what_did_not_finish() -> None:
    api = FakeApi([{"uptake_extract": "success", "uptake_transform": "running"}])
    with pytest.raises(control.RunFailed, match="not finished after 0 s: uptake_transform"):
        control.wait_for_score(api, "t", timeout=0.0)  # type: ignore[arg-type]


def test_a_run_line_reads_well() -> None:
    run_after, ended = "2026-11-30T10:28:35.0+00:00", "2026-11-30T10:28:45.0+00:00"
    line = control.RunLine(
        "uptake_score", "asset_triggered__x", "success", "asset_triggered", run_after, ended
    )
    assert line.format().split()[:3] == ["uptake_score", "success", "asset_triggered"]
    assert "ended 2026-11-30T10:28:45" in line.format()
    assert control.RunLine("uptake_train", None, None, None, None, None).format().endswith("no run")

"""End to end in server mode: `make up`, `uptake trigger --wait`, `uptake status`, `make down`.

One stack for the module (free ports, a temporary UPTAKE_HOME, PostgreSQL databases with a
unique suffix, dropped at the end) over a small simulated landing zone. The run is triggered
for a day before the latest delivery, so the checks can tell that the triggered date (and not
a default) travelled through the asset chain to scoring. The last test stops the stack and
checks that no process is left; the fixture stops it too if a test failed before.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from uptake.settings import PROJECT_ROOT, Settings, get_settings

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PG = "postgresql://postgres@127.0.0.1:5432"
RUN_TIMEOUT_SECONDS = 600
# Screenshots go to the test's home; `UPTAKE_REFRESH_SCREENSHOTS=1` writes the ones in docs/
# instead (a test run must not modify the repository).
DOCS_SCREENSHOTS = PROJECT_ROOT / "docs" / "img"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@dataclass
class Stack:
    settings: Settings
    env: dict[str, str]
    day: date
    up_output: str
    trigger: subprocess.CompletedProcess[str]
    trigger_seconds: float

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )


def _env(home: Path, landing: Path, suffix: str, executor: str) -> dict[str, str]:
    """The caller's environment without Uptake/Airflow/MLflow settings, plus the stack's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UPTAKE_", "AIRFLOW", "MLFLOW_", "DBT_"))
    }
    env.update(
        {
            "UPTAKE_HOME": str(home),
            "UPTAKE_LANDING_DIR": str(landing),
            "UPTAKE_AIRFLOW_DB": f"{PG}/uptake_airflow_e2e_{suffix}",
            "UPTAKE_MLFLOW_DB": f"{PG}/uptake_mlflow_e2e_{suffix}",
            "UPTAKE_AIRFLOW_PORT": str(_free_port()),
            "UPTAKE_MLFLOW_PORT": str(_free_port()),
            "UPTAKE_EXECUTOR": executor,
        }
    )
    return env


@pytest.fixture(scope="module", params=["local", "celery"])
def stack(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    from uptake.extract import latest_delivery_date
    from uptake.orchestration.server.databases import drop_database
    from uptake.orchestration.server.stack import down
    from uptake.simulation import simulate

    root = tmp_path_factory.mktemp("server")
    landing = root / "landing"
    simulate(landing, accounts=30, months=6, seed=13)
    env = _env(root / "home", landing, secrets.token_hex(4), request.param)
    settings = get_settings(env)
    latest = latest_delivery_date(landing)
    assert latest is not None
    day = latest - timedelta(days=7)
    try:
        up = subprocess.run(  # the README's command
            ["make", "-C", str(PROJECT_ROOT), "--no-print-directory", "up"],
            env=env, capture_output=True, text=True, timeout=400, check=False,
        )  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        started = time.monotonic()
        trigger = subprocess.run(
            [_bin("uptake"), "trigger", "--as-of", day.isoformat(), "--wait",
             "--timeout", str(RUN_TIMEOUT_SECONDS)],
            env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS + 60, check=False,
        )  # fmt: skip
        seconds = time.monotonic() - started
        print(f"\ntriggered run of the asset chain: {seconds:.0f} s\n{trigger.stdout}")
        yield Stack(settings, env, day, up.stdout, trigger, seconds)
    finally:
        down(settings)
        drop_database(settings.airflow_db)
        drop_database(settings.mlflow_db)


def _api(stack: Stack):  # type: ignore[no-untyped-def]
    from uptake.orchestration.server.stack import api_for, read_state

    return api_for(stack.settings, read_state(stack.settings))


def test_up_starts_every_service_on_localhost(stack: Stack) -> None:
    from uptake.orchestration.server.stack import process_table, services

    expected = {service.name for service in services(stack.settings)}
    assert set(process_table(stack.settings).recorded()) == expected
    assert ("airflow-celery-worker" in expected) == (stack.settings.executor == "celery")
    state = json.loads((stack.settings.server_dir / "stack.json").read_text())
    assert state["airflow_url"] == f"http://127.0.0.1:{stack.settings.airflow_port}"
    executor = {"local": "LocalExecutor", "celery": "CeleryExecutor"}[stack.settings.executor]
    assert state["executor"] == executor
    secret = stack.settings.server_dir / "secrets" / "jwt_secret"
    assert secret.stat().st_mode & 0o077 == 0
    assert _api(stack).health()["scheduler"]["status"] == "healthy"


def test_trigger_waits_until_the_asset_chain_scored_the_triggered_day(stack: Stack) -> None:
    assert stack.trigger.returncode == 0, stack.trigger.stdout + stack.trigger.stderr
    assert f"uptake_score succeeded for {stack.day.isoformat()}" in stack.trigger.stdout
    api = _api(stack)
    published = {}
    for dag_id, task_id in (("uptake_extract", "load_landing_zone"),
                            ("uptake_transform", "check_marts"),
                            ("uptake_train", "train_models"),
                            ("uptake_score", "score_accounts")):  # fmt: skip
        run = api.latest_run(dag_id)
        assert run is not None and run["state"] == "success", (dag_id, run)
        published[dag_id] = api.xcom(dag_id, run["dag_run_id"], task_id)["as_of_date"]
    # Only the extract run carries the date in its conf; the others read the asset events.
    assert set(published.values()) == {stack.day.isoformat()}
    assert api.latest_run("uptake_score")["run_type"] == "asset_triggered"
    # Unpausing a DAG without start date and catchup created no scheduled run of its own.
    assert [api.run_count(dag_id) for dag_id in published] == [1, 1, 1, 1]
    score = json.loads((stack.settings.reports_dir / "score.json").read_text())
    assert json.dumps(score).count(stack.day.isoformat()) >= 1


def test_status_prints_every_dag_succeeded(stack: Stack) -> None:
    status = stack.run(_bin("uptake"), "status")
    assert status.returncode == 0, status.stderr
    for dag_id in ("uptake_extract", "uptake_transform", "uptake_train", "uptake_score"):
        line = next(line for line in status.stdout.splitlines() if dag_id in line)
        assert " success " in line, line


def test_contract_tables_are_filled(stack: Stack) -> None:
    from uptake.orchestration.run_checks import contract_table_problems

    assert contract_table_problems(stack.settings) == []


def test_no_email_address_from_identify_calls_leaves_raw(stack: Stack) -> None:
    from uptake.warehouse import connect

    with connect(stack.settings.warehouse_path, read_only=True) as con:
        raw_emails = con.execute(
            "SELECT count(*) FROM raw.product_events WHERE traits_json LIKE '%@%'"
        ).fetchone()[0]
        assert raw_emails > 0  # the simulator's identify calls carry addresses
        columns = con.execute(
            "SELECT table_schema, table_name, column_name, data_type FROM "
            "information_schema.columns WHERE table_schema NOT IN ('raw', 'information_schema')"
        ).fetchall()
        assert not [c for c in columns if "email" in c[2].lower()]
        found = []
        for schema, table, column, data_type in columns:
            if schema == "marts" and data_type == "VARCHAR":
                hits = con.execute(
                    f'SELECT count(*) FROM {schema}."{table}" WHERE regexp_matches("{column}", '
                    "'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}')"
                ).fetchone()[0]
                if hits:
                    found.append((table, column, hits))
        assert found == []


def test_mlflow_server_holds_the_runs_and_the_champion(stack: Stack) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(f"http://127.0.0.1:{stack.settings.mlflow_port}")
    experiments = [e for e in client.search_experiments() if e.name != "Default"]
    assert experiments
    runs = client.search_runs([e.experiment_id for e in experiments])
    assert runs and all(run.info.status == "FINISHED" for run in runs)
    # Artifacts went through the server into its store under UPTAKE_HOME.
    assert all(e.artifact_location.startswith("mlflow-artifacts:") for e in experiments)
    assert any(stack.settings.mlflow_artifacts_dir.rglob("MLmodel"))
    champions = [m.name for m in client.search_registered_models() if "champion" in m.aliases]
    assert champions


def test_the_uis_show_the_runs_in_a_headless_browser(stack: Stack) -> None:
    from browser import chromium, headless_page  # tests/server is not a package

    if chromium() is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    if stack.settings.executor != "local":
        pytest.skip("the pages look the same whatever the executor; shot once")
    api = _api(stack)
    airflow = f"http://127.0.0.1:{stack.settings.airflow_port}"
    mlflow = f"http://127.0.0.1:{stack.settings.mlflow_port}"
    refresh = os.environ.get("UPTAKE_REFRESH_SCREENSHOTS") == "1"
    shots = DOCS_SCREENSHOTS if refresh else stack.settings.home / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with headless_page(stack.settings.home / "chromium") as page:
        # Authentication is on: without a session the UI shows the login form, not the DAG.
        login = page.open(f"{airflow}/dags/uptake_score", expect=["Sign in"], timeout=30)
        assert "Sign in" in login and "score_accounts" not in login, login[:500]
        page.set_cookie(airflow + "/", "_token", api.token())
        grid = page.open(f"{airflow}/dags/uptake_score", expect=["score_accounts", "Failed Runs"])
        assert "publish_bi_copy" in grid and "Asset" in grid, grid[:2000]
        page.screenshot(shots / "airflow-grid.png")
        assert (shots / "airflow-grid.png").stat().st_size > 10_000
        churn = next(e for e in _mlflow_experiments(mlflow) if e.name == "uptake-churn")
        run_name = f"churn {stack.day.isoformat()}"  # the training run of the triggered day
        runs = page.open(f"{mlflow}/#/experiments/{churn.experiment_id}/runs", expect=[run_name])
        assert run_name in runs and "Training runs" in runs, runs[:2000]
        page.screenshot(shots / "mlflow-runs.png")
        assert (shots / "mlflow-runs.png").stat().st_size > 10_000


def _mlflow_experiments(url: str):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    return MlflowClient(url).search_experiments()


def test_down_stops_everything_up_started(stack: Stack) -> None:
    from uptake.orchestration.server.processes import is_alive
    from uptake.orchestration.server.stack import marked_processes, process_table

    stack_id = json.loads((stack.settings.server_dir / "stack.json").read_text())["stack_id"]
    recorded = process_table(stack.settings).recorded()
    assert marked_processes(stack_id)
    down = stack.run("make", "-C", str(PROJECT_ROOT), "--no-print-directory", "down")
    assert down.returncode == 0, down.stderr
    assert marked_processes(stack_id) == []
    assert not [pid for pid in recorded.values() if is_alive(pid)]  # zombies may await reaping
    assert list((stack.settings.server_dir / "pids").glob("*.pid")) == []
    for port in (stack.settings.airflow_port, stack.settings.mlflow_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
    status = stack.run(_bin("uptake"), "status")
    assert status.returncode == 1 and "make up" in status.stderr
    if stack.settings.executor == "celery":
        import redis

        client = redis.Redis.from_url(stack.settings.celery_broker)
        assert list(client.scan_iter(match=f"uptake-{stack_id}:*")) == []

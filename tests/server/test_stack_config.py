"""The stack's configuration: environment, services, secrets, settings; no process started."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from uptake.cli import main
from uptake.orchestration.server import stack
from uptake.settings import get_settings


def _settings(tmp_path: Path, **extra: str):  # type: ignore[no-untyped-def]
    return get_settings({"UPTAKE_HOME": str(tmp_path / "home"), **extra})


def test_settings_defaults_and_overrides(tmp_path: Path) -> None:
    default = _settings(tmp_path)
    assert default.airflow_db == "postgresql://postgres@127.0.0.1:5432/uptake_airflow"
    assert default.mlflow_db == "postgresql://postgres@127.0.0.1:5432/uptake_mlflow"
    assert (default.executor, default.airflow_port, default.mlflow_port) == ("local", 8080, 5000)
    custom = _settings(
        tmp_path,
        UPTAKE_AIRFLOW_DB="postgresql://a:secret@db:5433/af",
        UPTAKE_EXECUTOR="Local",
        UPTAKE_AIRFLOW_PORT="18080",
        UPTAKE_MLFLOW_PORT="15000",
    )
    assert custom.airflow_db.endswith("/af") and custom.executor == "local"
    assert (custom.airflow_port, custom.mlflow_port) == (18080, 15000)
    assert "secret" not in repr(custom)  # database URLs may carry passwords


def test_server_env_points_airflow_at_postgres_the_api_server_and_mlflow(tmp_path: Path) -> None:
    settings = _settings(tmp_path, UPTAKE_AIRFLOW_PORT="18080", UPTAKE_MLFLOW_PORT="15000")
    env = stack.server_env(settings, "s3cret-jwt", "abc123")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://postgres@127.0.0.1:5432/uptake_airflow"
    )
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "s3cret-jwt"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"
    assert env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:15000"
    assert env[stack.STACK_MARKER] == "abc123"
    # Authentication stays on: no all-admins switch, a generated password file.
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS" not in env
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(
        str(settings.server_dir)
    )
    # The embedded runner's shared settings carry over (dags folder, home, telemetry off).
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(settings.dags_dir)
    assert env["UPTAKE_HOME"] == str(settings.home)
    assert env["DO_NOT_TRACK"] == "1"
    assert "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY" not in env


def test_every_service_listens_on_localhost_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    services = stack.services(settings)
    assert [service.name for service in services] == list(stack.SERVICE_NAMES[:-1])
    for service in services:
        if "--host" in service.command:
            assert service.command[service.command.index("--host") + 1] == "127.0.0.1"
        if service.health_url:
            assert service.health_url.startswith("http://127.0.0.1:")
    servers = [service for service in services if service.health_url]
    assert {service.name for service in servers} == {"mlflow", "airflow-api-server"}
    mlflow = services[0].command
    assert mlflow[mlflow.index("--artifacts-destination") + 1] == str(settings.mlflow_artifacts_dir)
    # Scheduler and triggerer open no log-server port.
    for service in services:
        if service.name in ("airflow-scheduler", "airflow-triggerer"):
            assert "--skip-serve-logs" in service.command


def test_secrets_are_private_and_the_jwt_secret_is_new_per_stack(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = stack._prepare_secrets(settings)
    password = stack.admin_password(settings)
    second = stack._prepare_secrets(settings)
    assert first != second and len(first) >= 48
    assert stack.admin_password(settings) == password  # kept: the operator may have noted it
    secret_dir = settings.server_dir / "secrets"
    assert secret_dir.stat().st_mode & 0o777 == 0o700
    for path in secret_dir.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert json.loads(stack.password_file(settings).read_text()).keys() == {"admin"}


def test_celery_adds_one_worker_and_a_broker_key_prefix_per_stack(tmp_path: Path) -> None:
    settings = _settings(tmp_path, UPTAKE_EXECUTOR="celery")
    assert settings.celery_broker == "redis://127.0.0.1:6379/0"
    env = stack.server_env(settings, "jwt", "abc123")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX"] == "uptake-abc123:"
    names = [service.name for service in stack.services(settings)]
    assert names == list(stack.SERVICE_NAMES)
    worker = stack.services(settings)[-1].command
    assert worker[1:3] == ("celery", "worker") and "--skip-serve-logs" in worker
    local = stack.server_env(_settings(tmp_path), "jwt", "abc123")
    assert not [key for key in local if "CELERY" in key]


def test_an_unreachable_broker_fails_up_before_anything_starts(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = _settings(
        tmp_path,
        UPTAKE_EXECUTOR="celery",
        UPTAKE_CELERY_BROKER=f"redis://127.0.0.1:{port}/0",
        UPTAKE_AIRFLOW_DB="postgresql://nobody@127.0.0.1:1/never",
    )
    with pytest.raises(stack.StackError, match=f"Celery broker redis://127.0.0.1:{port}"):
        stack.up(settings, progress=lambda line: None)
    assert stack.process_table(settings).recorded() == {}


def test_an_unknown_executor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(stack.StackError, match="UPTAKE_EXECUTOR='kubernetes'"):
        stack.server_env(_settings(tmp_path, UPTAKE_EXECUTOR="kubernetes"), "x", "y")


def test_trigger_and_status_exit_1_when_no_stack_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("UPTAKE_HOME", str(tmp_path / "home"))
    assert main(["status"]) == 1
    assert "no Uptake stack is running" in capsys.readouterr().err
    assert main(["trigger", "--as-of", "2026-01-31"]) == 1
    assert "make up" in capsys.readouterr().err


def test_down_without_a_stack_is_a_no_op(tmp_path: Path) -> None:
    assert stack.down(_settings(tmp_path)) == []


def test_marked_processes_finds_only_this_stacks_processes(tmp_path: Path) -> None:
    import os
    import sys

    from uptake.orchestration.server.processes import ProcessTable, Service

    table = ProcessTable(tmp_path / "pids", tmp_path / "logs")
    sleep = Service("marked", (sys.executable, "-c", "import time; time.sleep(300)"))
    pid = table.start(sleep, {**os.environ, stack.STACK_MARKER: "stack-under-test"})
    try:
        assert stack.marked_processes("stack-under-test") == [pid]
        assert stack.marked_processes("another-stack") == []
    finally:
        table.stop("marked")
    assert stack.marked_processes("stack-under-test") == []


def test_remove_broker_keys_deletes_only_this_stacks_keys() -> None:
    import redis

    # The local Redis, as the celery e2e test and .ci/run expect it.
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    ours, theirs = "uptake-unit-ours:_kombu.binding.default", "uptake-unit-theirs:x"
    client.set(ours, "1")
    client.set(theirs, "1")
    try:
        assert stack.remove_broker_keys("redis://127.0.0.1:6379/0", "unit-ours") == 1
        assert client.exists(ours) == 0 and client.exists(theirs) == 1
    finally:
        client.delete(ours, theirs)
        client.close()

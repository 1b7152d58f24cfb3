"""docker-compose.yml is valid for Debian's docker-compose 1.29 and has every service."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from uptake.settings import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
REQUIRED_SERVICES = {
    "postgres",
    "redis",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "mlflow",
}
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}


def _docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.skip("docker-compose is not installed and apt-get is not available to install it")
    for args in (["update", "-qq"], ["install", "-y", "-qq", "docker-compose"]):
        done = subprocess.run(
            [apt, *args],
            capture_output=True,
            text=True,
            check=False,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        assert done.returncode == 0, f"apt-get {' '.join(args)} failed: {done.stderr[-2000:]}"
    found = shutil.which("docker-compose")
    assert found, "apt-get installed docker-compose but it is not on PATH"
    return found


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file as docker-compose itself resolves it (anchors merged, defaults filled)."""
    compose = _docker_compose()
    workdir = tmp_path_factory.mktemp("compose")
    check = subprocess.run(
        [compose, "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == "", check.stderr  # no warnings (unset variables, ...)
    full = subprocess.run(
        [compose, "-f", str(COMPOSE_FILE), "config"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=True,
    )
    return yaml.safe_load(full.stdout)


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def _volume_targets(service: dict[str, Any]) -> set[str]:
    # docker-compose 1.29 prints short syntax ("source:target:mode"), newer ones long syntax.
    return {
        volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
        for volume in service.get("volumes", [])
    }


def test_no_keys_that_docker_compose_1_29_rejects() -> None:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    assert "name" not in raw and "include" not in raw


def test_required_services_exist(resolved: dict[str, Any]) -> None:
    assert set(resolved["services"]) >= REQUIRED_SERVICES


def test_airflow_components_share_one_configuration(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for name, command in AIRFLOW_COMMANDS.items():
        service = services[name]
        assert service["image"].startswith("apache/airflow:3.3"), name
        assert _command(service) == command, name
        assert {"/opt/uptake", "/opt/uptake-home", "/opt/uptake-landing"} <= _volume_targets(
            service
        ), name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/uptake/dags", name
        assert env["MLFLOW_TRACKING_URI"] == "http://mlflow:5000", name
        for opt_out in ("DO_NOT_TRACK", "MLFLOW_DISABLE_TELEMETRY", "GX_ANALYTICS_ENABLED"):
            assert opt_out in env, (name, opt_out)
    secrets = {
        services[name]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for name in AIRFLOW_COMMANDS
    }
    assert len(secrets) == 1  # tokens signed by one component must verify in the others


def test_init_creates_the_writer_pool(resolved: dict[str, Any]) -> None:
    script = _command(resolved["services"]["airflow-init"])
    assert "airflow db migrate" in script
    assert "airflow pools set uptake_warehouse 1" in script


def test_mlflow_uses_postgres_and_an_artifact_volume(resolved: dict[str, Any]) -> None:
    mlflow = resolved["services"]["mlflow"]
    command = _command(mlflow)
    assert "--backend-store-uri postgresql://" in command
    assert "--artifacts-destination /mlflow-artifacts" in command
    assert "\n" not in command.strip()  # one shell command line, not one option per line
    assert "/mlflow-artifacts" in _volume_targets(mlflow)
    assert mlflow["environment"]["MLFLOW_DISABLE_TELEMETRY"] == "true"

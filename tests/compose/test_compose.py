"""docker-compose.yml is valid for Debian's docker-compose 1.29, has every service, and is
safe to run as a deployment: baked image, secrets only from .env, localhost ports, roles, auth."""

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
    "mlflow-init",
}
# Every variable .env must set (.env.example lists them with empty values).
SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_ADMIN_PASSWORD",
    "AIRFLOW_OPERATOR_PASSWORD",
    "AIRFLOW_VIEWER_PASSWORD",
    "MLFLOW_ADMIN_PASSWORD",
    "MLFLOW_TASKS_PASSWORD",
    "MLFLOW_SECRET_KEY",
)
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "airflow api-server --host 0.0.0.0 --port 8080",
    "airflow-scheduler": "airflow scheduler",
    "airflow-dag-processor": "airflow dag-processor",
    "airflow-triggerer": "airflow triggerer",
    "airflow-worker": "airflow celery worker",
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
    env_file = workdir / "test.env"
    env_file.write_text("".join(f"{name}=test-{name.lower()}\n" for name in SECRETS))
    check = subprocess.run(
        [compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == "", check.stderr  # no warnings (unset variables, ...)
    full = subprocess.run(
        [compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
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
        assert service["image"] == "uptake:local" and "build" in service, name
        assert _command(service) == command, name
        assert {"/opt/uptake-home", "/opt/uptake-landing"} <= _volume_targets(service), name
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
    assert '--backend-store-uri "postgresql+psycopg2://' in command
    assert "--artifacts-destination /mlflow-artifacts" in command
    assert "\n" not in command.strip()  # one shell command line, not one option per line
    assert "/mlflow-artifacts" in _volume_targets(mlflow)
    assert mlflow["environment"]["MLFLOW_DISABLE_TELEMETRY"] == "true"


def test_the_image_bakes_the_locked_environment(resolved: dict[str, Any]) -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "COPY pyproject.toml uv.lock" in dockerfile
    assert "USER 50000" in dockerfile
    for name, service in resolved["services"].items():
        env = service.get("environment") or {}
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env, name
        if "command" in service:
            assert "pip install" not in _command(service), name


def test_published_ports_listen_on_localhost_only(resolved: dict[str, Any]) -> None:
    published = {
        name: service["ports"]
        for name, service in resolved["services"].items()
        if "ports" in service
    }
    assert set(published) == {"postgres", "airflow-apiserver", "mlflow"}  # not redis
    for name, ports in published.items():
        for port in ports:
            host_ip = port.get("host_ip") if isinstance(port, dict) else port.split(":")[0]
            assert host_ip == "127.0.0.1", (name, port)


def test_every_secret_comes_from_env_without_a_working_default(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    compose = _docker_compose()
    workdir = tmp_path_factory.mktemp("compose-empty")
    empty = workdir / "empty.env"
    empty.write_text("")
    check = subprocess.run(
        [compose, "--env-file", str(empty), "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert check.returncode != 0
    assert "set " in check.stderr and ".env" in check.stderr, check.stderr
    text = COMPOSE_FILE.read_text()
    for name in SECRETS:
        assert f"${{{name}:?" in text, name
    example = (PROJECT_ROOT / ".env.example").read_text()
    for name in SECRETS:
        assert f"\n{name}=\n" in example, name  # listed, with no value
    for weak in ("uptake-local-only-change-me", "POSTGRES_PASSWORD: uptake", "ALL_ADMINS"):
        assert weak not in text, weak


def test_airflow_users_have_roles_and_mlflow_requires_auth(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    env = services["airflow-scheduler"]["environment"]
    users = dict(
        user.split(":") for user in env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")
    )
    assert users == {"admin": "admin", "operator": "op", "viewer": "viewer"}
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS" not in env
    assert env["MLFLOW_TRACKING_USERNAME"] == "uptake-tasks"
    assert env["MLFLOW_TRACKING_PASSWORD"] == "test-mlflow_tasks_password"
    assert "--app-name basic-auth" in _command(services["mlflow"])
    assert "users/create" in _command(services["mlflow-init"])
    init = _command(services["airflow-init"])
    assert "umask 077" in init and "airflow db migrate" in init

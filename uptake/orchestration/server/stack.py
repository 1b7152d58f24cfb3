"""Server mode: the Airflow services and an MLflow server as local processes (``make up``).

``up`` runs ``airflow db migrate`` and creates the writer pool on a PostgreSQL metadata
database, then starts the Airflow api-server, scheduler, dag-processor and triggerer
(LocalExecutor; with ``UPTAKE_EXECUTOR=celery`` the CeleryExecutor on Redis and one worker) and
``mlflow server`` (PostgreSQL backend store, artifacts under
``$UPTAKE_HOME/mlflow/artifacts`` served by the server), all on 127.0.0.1, and returns when
each is healthy and the DAGs are registered and unpaused. ``down`` stops exactly those
processes: every service runs in its own process group recorded in a pid file, and every
process carries the stack's id in its environment, so ``down`` also finds any process that
left its group.

Files under ``$UPTAKE_HOME/server``: ``pids/``, ``logs/`` (one log per service, plus
``airflow-db-migrate.log`` and ``airflow-pools.log``), ``secrets/`` (0700: the JWT secret of
this stack, new at every ``up``, and the admin password, 0600) and ``stack.json`` (URLs,
landing zone and id of the running stack, read by ``uptake trigger`` and ``uptake status``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from uptake.orchestration.dags_test_runner import DAG_SEQUENCE, airflow_env
from uptake.orchestration.server.airflow_api import AirflowApi, AirflowApiError
from uptake.orchestration.server.databases import ensure_database, redact, sqlalchemy_url
from uptake.orchestration.server.processes import (
    ProcessTable,
    Service,
    ServiceError,
    is_alive,
    run_once,
    signal_process,
)
from uptake.settings import Settings
from uptake.warehouse import WRITER_POOL

HOST = "127.0.0.1"
ADMIN_USER = "admin"
STACK_MARKER = "UPTAKE_STACK_ID"  # in every stack process's environment, inherited by children
START_TIMEOUT_SECONDS = 300.0
BOOTSTRAP_TIMEOUT_SECONDS = 600.0
# Start order (down signals every group at once, then waits for each).
SERVICE_NAMES = ("mlflow", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
                 "airflow-triggerer", "airflow-celery-worker")  # fmt: skip
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
WORKER = "airflow-celery-worker"


@dataclass(frozen=True)
class StackState:
    """What ``up`` started, for ``trigger``, ``status`` and ``down``."""

    stack_id: str
    airflow_url: str
    mlflow_url: str
    executor: str
    landing_dir: str
    warehouse: str
    started_at: float
    startup_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class StackError(RuntimeError):
    """The stack could not start, is not running, or did not stop cleanly."""


def _dirs(settings: Settings) -> tuple[Path, Path, Path]:
    server = settings.server_dir
    return server / "pids", server / "logs", server / "secrets"


def process_table(settings: Settings) -> ProcessTable:
    pids, logs, _ = _dirs(settings)
    return ProcessTable(pids, logs)


def state_path(settings: Settings) -> Path:
    return settings.server_dir / "stack.json"


def password_file(settings: Settings) -> Path:
    return _dirs(settings)[2] / "airflow-passwords.json"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read (created 0600, never world-readable)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def _prepare_secrets(settings: Settings) -> str:
    """A new JWT secret for this stack, and the admin password file when missing."""
    secret_dir = _dirs(settings)[2]
    secret_dir.mkdir(parents=True, exist_ok=True)
    secret_dir.chmod(0o700)
    jwt_secret = secrets.token_urlsafe(48)
    _write_private(secret_dir / "jwt_secret", jwt_secret)
    passwords = password_file(settings)
    if not passwords.exists():
        _write_private(passwords, json.dumps({ADMIN_USER: secrets.token_urlsafe(24)}) + "\n")
    return jwt_secret


def admin_password(settings: Settings) -> str:
    return json.loads(password_file(settings).read_text())[ADMIN_USER]


def airflow_url(settings: Settings) -> str:
    return f"http://{HOST}:{settings.airflow_port}"


def mlflow_url(settings: Settings) -> str:
    return f"http://{HOST}:{settings.mlflow_port}"


def executor_class(settings: Settings) -> str:
    if settings.executor not in EXECUTORS:
        raise StackError(
            f"UPTAKE_EXECUTOR={settings.executor!r} is not supported; use one of "
            + ", ".join(sorted(EXECUTORS))
        )
    return EXECUTORS[settings.executor]


def server_env(settings: Settings, jwt_secret: str, stack_id: str) -> dict[str, str]:
    """The embedded runner's environment, pointed at PostgreSQL, the api-server and MLflow."""
    env = airflow_env(settings)
    # A deployment keeps Airflow's retry delay ([core] default_task_retry_delay, 300 s).
    env.pop("AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY", None)
    env.update(
        {
            STACK_MARKER: stack_id,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(settings.airflow_db),
            "AIRFLOW__CORE__EXECUTOR": executor_class(settings),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{airflow_url(settings)}/execution/",
            "AIRFLOW__API__BASE_URL": f"{airflow_url(settings)}/",
            "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file(settings)),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "MLFLOW_TRACKING_URI": mlflow_url(settings),
        }
    )
    if settings.executor == "celery":
        env.update(
            {
                "AIRFLOW__CELERY__BROKER_URL": settings.celery_broker,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(settings.airflow_db),
                # Every Redis key of this stack carries its id: two stacks (or a test next to
                # a running stack) on one Redis never take each other's tasks.
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": broker_prefix(
                    stack_id
                ),
            }
        )
    return env


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def services(settings: Settings) -> list[Service]:
    """The long-running processes, in start order (the Celery worker only with Celery)."""
    airflow, port = _bin("airflow"), str(settings.airflow_port)
    processes = [
        Service(
            "mlflow",
            (
                _bin("mlflow"),
                "server",
                "--host",
                HOST,
                "--port",
                str(settings.mlflow_port),
                "--workers",
                "1",
                "--backend-store-uri",
                sqlalchemy_url(settings.mlflow_db),
                "--artifacts-destination",
                str(settings.mlflow_artifacts_dir),
                "--serve-artifacts",
            ),
            health_url=f"{mlflow_url(settings)}/health",
        ),
        Service(
            "airflow-api-server",
            (airflow, "api-server", "--host", HOST, "--port", port, "--workers", "1"),
            health_url=f"{airflow_url(settings)}/api/v2/monitor/health",
        ),
        # Task logs are files under $UPTAKE_HOME that the api-server reads itself, so the
        # scheduler and triggerer serve none (no log-server ports to open).
        Service("airflow-scheduler", (airflow, "scheduler", "--skip-serve-logs")),
        Service("airflow-dag-processor", (airflow, "dag-processor")),
        Service("airflow-triggerer", (airflow, "triggerer", "--skip-serve-logs")),
    ]
    if settings.executor == "celery":
        # One worker, one task at a time: the warehouse pool has one slot anyway.
        worker = (airflow, "celery", "worker", "--concurrency", "1", "--skip-serve-logs",
                  "--without-gossip", "--without-mingle")  # fmt: skip
        processes.append(Service(WORKER, worker))
    return processes


def read_state(settings: Settings) -> StackState:
    """The running stack's state; :class:`StackError` when no stack is up."""
    path = state_path(settings)
    running = process_table(settings).recorded()
    if not path.exists() or not running:
        raise StackError(f"no Uptake stack is running for UPTAKE_HOME={settings.home}; make up")
    return StackState(**json.loads(path.read_text()))


def api_for(settings: Settings, state: StackState) -> AirflowApi:
    return AirflowApi(state.airflow_url, ADMIN_USER, admin_password(settings))


def _wait_for_components(api: AirflowApi, deadline: float) -> None:
    """Until the scheduler, dag-processor and triggerer heartbeat and the DAGs are unpaused."""
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            health = api.health()
            unhealthy = [
                name
                for name in ("metadatabase", "scheduler", "triggerer", "dag_processor")
                if (health.get(name) or {}).get("status") != "healthy"
            ]
            registered = api.dag_ids() if not unhealthy else {}
            missing = [dag for dag in DAG_SEQUENCE if dag not in registered]
            for dag in DAG_SEQUENCE:
                if registered.get(dag):  # paused (a database from an earlier stack)
                    api.unpause(dag)
            if not unhealthy and not missing:
                return
            last = f"unhealthy: {unhealthy}" if unhealthy else f"DAGs not registered: {missing}"
            if missing and not unhealthy and (errors := api.import_errors()):
                raise StackError("the DAG files do not import:\n" + "\n".join(errors))
        except AirflowApiError as error:
            last = str(error)
        time.sleep(1.0)
    raise StackError(f"the Airflow components did not become ready: {last}")


def _check_broker(url: str) -> None:
    """Fail early, naming the broker, when nothing listens at its address."""
    parsed = urllib.parse.urlsplit(url)
    address = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
    try:
        socket.create_connection(address, timeout=5).close()
    except OSError as error:
        raise StackError(
            f"the Celery broker {parsed.scheme}://{address[0]}:{address[1]} is unreachable "
            f"({error}); start Redis or set UPTAKE_CELERY_BROKER"
        ) from error


def up(
    settings: Settings,
    timeout: float = START_TIMEOUT_SECONDS,
    progress: Callable[[str], None] = print,
) -> StackState:
    """Start the stack and wait until it is healthy; on any failure stop what was started."""
    table = process_table(settings)
    if running := table.recorded():
        raise StackError(f"a stack is already running ({running}); run make down first")
    started = time.monotonic()
    executor_class(settings)
    if settings.executor == "celery":
        _check_broker(settings.celery_broker)
    for url in (settings.airflow_db, settings.mlflow_db):
        try:
            if ensure_database(url):
                progress(f"created database {redact(url)}")
        except Exception as error:  # psycopg2 errors: name the database, not the driver
            raise StackError(f"cannot reach or create {redact(url)}: {error}") from error
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    stack_id = secrets.token_hex(8)
    env = server_env(settings, _prepare_secrets(settings), stack_id)
    logs = _dirs(settings)[1]
    progress(f"airflow db migrate on {redact(settings.airflow_db)}")
    airflow = _bin("airflow")
    try:
        run_once((airflow, "db", "migrate"), env, logs / "airflow-db-migrate.log",
                 BOOTSTRAP_TIMEOUT_SECONDS, "airflow db migrate")  # fmt: skip
        run_once(
            (airflow, "pools", "set", WRITER_POOL, "1", "DuckDB allows one writer"),
            env, logs / "airflow-pools.log", BOOTSTRAP_TIMEOUT_SECONDS,
            f"airflow pools set {WRITER_POOL}",
        )  # fmt: skip
    except ServiceError as error:
        raise StackError(str(error)) from error
    state = StackState(
        stack_id=stack_id,
        airflow_url=airflow_url(settings),
        mlflow_url=mlflow_url(settings),
        executor=executor_class(settings),
        landing_dir=str(settings.landing_dir),
        warehouse=str(settings.warehouse_path),
        started_at=time.time(),
    )
    state_path(settings).write_text(json.dumps(state.as_dict()))
    deadline = time.monotonic() + timeout
    try:
        pids = {service.name: table.start(service, env) for service in services(settings)}
        for service in services(settings):
            remaining = max(deadline - time.monotonic(), 1.0)
            table.wait_healthy(service, pids[service.name], remaining)
            progress(f"{service.name} up (pid {pids[service.name]})")
        _wait_for_components(api_for(settings, state), deadline)
        for name, pid in pids.items():  # all still running (none died after its start)
            if name not in table.recorded():
                raise StackError(f"{name} (pid {pid}) exited; log: {table.log_file(name)}")
    except (ServiceError, StackError, KeyboardInterrupt) as error:
        left = down(settings)
        suffix = f"; processes left: {left}" if left else ""
        raise StackError(f"{error}{suffix}") from error
    state = StackState(**{**state.as_dict(), "startup_seconds": time.monotonic() - started})
    state_path(settings).write_text(json.dumps(state.as_dict()))
    return state


def marked_processes(stack_id: str) -> list[int]:
    """Live processes whose environment carries this stack's id (ours, whatever their group)."""
    needle = f"{STACK_MARKER}={stack_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read
    return [pid for pid in found if is_alive(pid)]


def down(settings: Settings) -> list[int]:
    """Stop every process of the stack; the pids still alive afterwards (empty: all gone)."""
    table = process_table(settings)
    stack_id = None
    if state_path(settings).exists():
        stack_id = json.loads(state_path(settings).read_text()).get("stack_id")
    left: list[int] = []
    for name in reversed(SERVICE_NAMES):  # all shut down in parallel, schedulers first
        table.terminate(name)
    for name in reversed(SERVICE_NAMES):
        left += table.stop(name)
    if stack_id:
        # A process that started its own session (a task runner) is not in a service's group.
        strays = marked_processes(stack_id)
        for pid in strays:
            signal_process(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while (strays := marked_processes(stack_id)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in strays:
            signal_process(pid, signal.SIGKILL)
        left += [pid for pid in marked_processes(stack_id) if pid not in left]
    left = sorted({pid for pid in left if is_alive(pid)})  # a zombie awaiting its reaper is gone
    if not left:
        if stack_id and settings.executor == "celery":
            remove_broker_keys(settings.celery_broker, stack_id)
        state_path(settings).unlink(missing_ok=True)
    return left


def broker_prefix(stack_id: str) -> str:
    return f"uptake-{stack_id}:"


def remove_broker_keys(broker_url: str, stack_id: str) -> int:
    """Delete the stack's keys (queue bindings) from the Redis broker; how many were deleted."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_timeout=10)
    try:
        keys = list(client.scan_iter(match=broker_prefix(stack_id) + "*"))
        return int(client.delete(*keys)) if keys else 0
    except redis.RedisError:
        return 0  # the broker is gone: nothing of ours to clean there
    finally:
        client.close()

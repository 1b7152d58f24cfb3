"""Long-running processes of the stack: start detached, record by pid file, stop by group.

Each service runs in its own session (``start_new_session``), so its process group holds the
service and every child it forks (the api-server's workers, the scheduler's executor
processes and task runners, the MLflow server's workers). Stopping signals the whole group,
so nothing a service started outlives it. A pid file records the group leader and its start
time, so a stale pid file whose pid was reused by an unrelated process is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TAIL_LINES = 40
STOP_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.5


class ServiceError(RuntimeError):
    """A service failed to start, to become healthy, or to stop."""


@dataclass(frozen=True)
class Service:
    name: str
    command: tuple[str, ...]
    health_url: str | None = None  # polled until it answers 200; None: only "still running"


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    return stat.rsplit(")", 1)[1].split()[19]


def is_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").rstrip().splitlines()[-lines:])


class ProcessTable:
    """Pid files under ``pid_dir`` and logs under ``log_dir``, one pair per service."""

    def __init__(self, pid_dir: Path, log_dir: Path) -> None:
        self.pid_dir = pid_dir
        self.log_dir = log_dir

    def pid_file(self, name: str) -> Path:
        return self.pid_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def recorded(self) -> dict[str, int]:
        """Services whose recorded process is still the one we started: name -> pid."""
        running = {}
        for path in sorted(self.pid_dir.glob("*.pid")) if self.pid_dir.exists() else []:
            record = json.loads(path.read_text())
            pid = int(record["pid"])
            if is_alive(pid) and _start_ticks(pid) == record["start"]:
                running[path.stem] = pid
        return running

    def start(self, service: Service, env: Mapping[str, str]) -> int:
        """Start ``service`` detached in its own session; its output goes to its log file."""
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file(service.name), "ab") as log:
            process = subprocess.Popen(
                list(service.command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env),
                start_new_session=True,
            )
        record = {
            "pid": process.pid,
            "start": _start_ticks(process.pid),
            "command": service.command,
        }
        self.pid_file(service.name).write_text(json.dumps(record))
        return process.pid

    def wait_healthy(self, service: Service, pid: int, timeout: float) -> float:
        """Poll the service's health URL until it answers 200; seconds waited.

        Raises :class:`ServiceError` naming the service, with its log's tail, when the process
        exits or the timeout passes first.
        """
        started = time.monotonic()
        while True:
            if not is_alive(pid):
                raise self._error(service.name, "exited during start-up")
            if service.health_url is None or _answers(service.health_url):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise self._error(
                    service.name, f"not healthy at {service.health_url} after {timeout:.0f} s"
                )
            time.sleep(POLL_SECONDS)

    def _error(self, name: str, what: str) -> ServiceError:
        log = self.log_file(name)
        return ServiceError(f"{name} {what}; log: {log}\n--- end of log ---\n{log_tail(log)}")

    def terminate(self, name: str) -> None:
        """Send SIGTERM to the service's group, without waiting (to stop several at once)."""
        if (pid := self.recorded().get(name)) is not None:
            _signal_group(pid, signal.SIGTERM)

    def stop(self, name: str, timeout: float = STOP_TIMEOUT_SECONDS) -> list[int]:
        """Stop the service's process group (TERM, then KILL after ``timeout``); pids left."""
        path = self.pid_file(name)
        if not path.exists():
            return []
        record = json.loads(path.read_text())
        pid = int(record["pid"])
        if not (is_alive(pid) and _start_ticks(pid) == record["start"]):
            # Not the process we started (gone, its pid maybe reused): signal nothing. Children
            # it left behind carry the stack's id and are found by ``stack.down``.
            path.unlink()
            return []
        _signal_group(pid, signal.SIGTERM)
        if not _wait_until(lambda: not group_members(pid), timeout):
            _signal_group(pid, signal.SIGKILL)
            _wait_until(lambda: not group_members(pid), 10.0)
        left = group_members(pid)
        if not left:
            path.unlink()
        return left


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def signal_process(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def run_once(
    command: Sequence[str], env: Mapping[str, str], log_path: Path, timeout: float, what: str
) -> float:
    """Run a one-shot command (``airflow db migrate``) to completion; seconds it took."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "ab") as log:
        try:
            code = subprocess.run(
                list(command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env),
                timeout=timeout,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            code = -1
    if code != 0:
        raise ServiceError(
            f"{what} failed (exit code {code}); log: {log_path}\n--- end of log ---\n"
            + log_tail(log_path)
        )
    return time.monotonic() - started

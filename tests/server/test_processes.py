"""Process management of the stack: pid files, process groups, health waits, failures."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from uptake.orchestration.server.processes import (
    ProcessTable,
    Service,
    ServiceError,
    group_members,
    is_alive,
    run_once,
)

# A parent that forks a child and both sleep: stopping the service must end both.
PARENT_WITH_CHILD = (
    "import os, time, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    time.sleep(300)\n"
    "else:\n"
    "    print('child', pid, flush=True)\n"
    "    time.sleep(300)\n"
)


def _table(tmp_path: Path) -> ProcessTable:
    return ProcessTable(tmp_path / "pids", tmp_path / "logs")


def _wait_for(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_stop_ends_the_service_and_every_child_of_its_group(tmp_path: Path) -> None:
    table = _table(tmp_path)
    service = Service("sleeper", (sys.executable, "-c", PARENT_WITH_CHILD))
    pid = table.start(service, os.environ)
    assert _wait_for(lambda: "child" in table.log_file("sleeper").read_text())
    child = int(table.log_file("sleeper").read_text().split()[1])
    assert table.recorded() == {"sleeper": pid}
    assert sorted(group_members(pid)) == sorted([pid, child])

    assert table.stop("sleeper") == []
    assert not is_alive(pid) and not is_alive(child)
    assert not table.pid_file("sleeper").exists()
    assert table.recorded() == {}


def test_a_process_ignoring_sigterm_is_killed_after_the_timeout(tmp_path: Path) -> None:
    table = _table(tmp_path)
    stubborn = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    stubborn += "print('ready', flush=True)\ntime.sleep(300)\n"
    pid = table.start(Service("stubborn", (sys.executable, "-c", stubborn)), os.environ)
    assert _wait_for(lambda: "ready" in table.log_file("stubborn").read_text())
    assert table.stop("stubborn", timeout=1.0) == []
    assert not is_alive(pid)


def test_a_stale_pid_file_never_signals_a_reused_pid(tmp_path: Path) -> None:
    table = _table(tmp_path)
    bystander = _table(tmp_path / "other")
    sleep = (sys.executable, "-c", "import time; time.sleep(300)")
    pid = bystander.start(Service("bystander", sleep), os.environ)  # a group leader too
    try:
        table.pid_dir.mkdir(parents=True)
        # Its pid with another start time: our service died and the pid was reused.
        table.pid_file("ghost").write_text(json.dumps({"pid": pid, "start": "1", "command": []}))
        assert table.recorded() == {}
        assert table.stop("ghost") == []
        assert is_alive(pid)
        assert not table.pid_file("ghost").exists()
    finally:
        bystander.stop("bystander")
    assert not is_alive(pid)


def test_a_service_that_exits_at_start_is_reported_with_its_log(tmp_path: Path) -> None:
    table = _table(tmp_path)
    crash = "import sys\nprint('cannot bind 127.0.0.1:1', flush=True)\nsys.exit(3)\n"
    service = Service("crasher", (sys.executable, "-c", crash), health_url="http://127.0.0.1:9/")
    pid = table.start(service, os.environ)
    with pytest.raises(ServiceError) as error:
        table.wait_healthy(service, pid, timeout=30)
    message = str(error.value)
    assert "crasher exited during start-up" in message
    assert "cannot bind 127.0.0.1:1" in message
    assert str(table.log_file("crasher")) in message


def test_a_service_never_healthy_times_out_naming_the_url(tmp_path: Path) -> None:
    table = _table(tmp_path)
    service = Service(
        "silent", (sys.executable, "-c", "import time; time.sleep(300)"), "http://127.0.0.1:9/x"
    )
    pid = table.start(service, os.environ)
    try:
        with pytest.raises(ServiceError, match=r"silent not healthy at http://127.0.0.1:9/x"):
            table.wait_healthy(service, pid, timeout=1.0)
    finally:
        table.stop("silent")


def test_run_once_fails_with_the_exit_code_and_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "migrate.log"
    command = (sys.executable, "-c", "print('relation missing'); raise SystemExit(2)")
    with pytest.raises(ServiceError) as error:
        run_once(command, os.environ, log, timeout=60, what="airflow db migrate")
    assert "airflow db migrate failed (exit code 2)" in str(error.value)
    assert "relation missing" in str(error.value)
    assert run_once((sys.executable, "-c", "pass"), os.environ, log, 60, "noop") >= 0

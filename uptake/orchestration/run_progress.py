"""Live progress of an ``airflow dags test`` run, read from the log it is writing.

``dags test`` marks each task with ``[DAG TEST] starting task_id=...`` and
``[DAG TEST] end task task_id=...``; following those lines tells a person waiting which DAG and
task are running and for how long, instead of minutes of silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

Report = Callable[[str], None]

_STARTING = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
_ENDED = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")
HEARTBEAT_SECONDS = 30.0


class LogWatcher:
    """Reads the new lines of ``log_path`` on each :meth:`poll` and reports task changes."""

    def __init__(
        self,
        log_path: Path,
        dag_id: str,
        report: Report,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.log_path = log_path
        self.dag_id = dag_id
        self.report = report
        self.heartbeat_seconds = heartbeat_seconds
        self._offset = 0
        self._partial = ""
        self._running: str | None = None
        self._task_started = 0.0
        self._last_report = 0.0

    def poll(self, elapsed: float) -> None:
        """Report what happened since the last poll; ``elapsed`` is the run's seconds so far."""
        for line in self._new_lines():
            started = _STARTING.search(line)
            ended = _ENDED.search(line)
            if started:
                self._running, self._task_started = started.group(1), elapsed
                self._say(f"{self.dag_id} > {self._running} started", elapsed)
            elif ended:
                took = elapsed - self._task_started
                self._say(f"{self.dag_id} > {ended.group(1)} ended after {took:.0f} s", elapsed)
                self._running = None
        if self._running and elapsed - self._last_report >= self.heartbeat_seconds:
            took = elapsed - self._task_started
            self._say(f"{self.dag_id} > {self._running} running for {took:.0f} s", elapsed)

    def _say(self, message: str, elapsed: float) -> None:
        self._last_report = elapsed
        self.report(f"[{elapsed:5.0f} s] {message}")

    def _new_lines(self) -> list[str]:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._offset)
                data = log.read()
        except FileNotFoundError:
            return []
        self._offset += len(data)
        text = self._partial + data.decode("utf-8", errors="replace")
        lines = text.split("\n")
        self._partial = lines.pop()  # an unfinished line waits for the next poll
        return lines

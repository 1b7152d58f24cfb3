"""A small client of the Airflow 3 REST API of the running stack (``/api/v2``).

Authentication: the api-server keeps Airflow's simple auth manager with one ``admin`` user whose
password the stack generated into a 0600 file (``uptake.orchestration.server.stack``); the
client exchanges it for a JWT at ``POST /auth/token``. Nothing here disables authentication.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

REQUEST_TIMEOUT_SECONDS = 30


class AirflowApiError(RuntimeError):
    """The api-server refused a request or could not be reached."""


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._token: str | None = None

    def _send(self, method: str, path: str, body: Any = None, token: bool = True) -> Any:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {self.token()}"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise AirflowApiError(f"{method} {path}: HTTP {error.code}: {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            raise AirflowApiError(
                f"{method} {path}: the Airflow api-server at {self.base_url} is unreachable "
                f"({error}); is the stack up (make up)?"
            ) from error

    def token(self) -> str:
        """A JWT for the admin user (fetched once per client)."""
        if self._token is None:
            body = {"username": self._username, "password": self._password}
            self._token = self._send("POST", "/auth/token", body, token=False)["access_token"]
        return self._token

    def health(self) -> dict[str, Any]:
        return self._send("GET", "/api/v2/monitor/health", token=False)

    def dag_ids(self) -> dict[str, bool]:
        """Registered DAGs: dag_id -> is_paused."""
        dags = self._send("GET", "/api/v2/dags?limit=100")["dags"]
        return {dag["dag_id"]: dag["is_paused"] for dag in dags}

    def import_errors(self) -> list[str]:
        errors = self._send("GET", "/api/v2/importErrors")["import_errors"]
        return [f"{error['filename']}: {error['stack_trace']}" for error in errors]

    def unpause(self, dag_id: str) -> None:
        self._send("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> dict[str, Any]:
        """A manual run of ``dag_id`` without a logical date; the run (with ``run_after``)."""
        return self._send(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf}
        )

    def latest_run(self, dag_id: str, run_after_gte: str | None = None) -> dict[str, Any] | None:
        """The run of ``dag_id`` with the latest ``run_after`` (not before ``run_after_gte``)."""
        query = {"order_by": "-run_after", "limit": "1"}
        if run_after_gte is not None:
            query["run_after_gte"] = run_after_gte
        path = f"/api/v2/dags/{dag_id}/dagRuns?{urllib.parse.urlencode(query)}"
        runs = self._send("GET", path)["dag_runs"]
        return runs[0] if runs else None

    def run_count(self, dag_id: str) -> int:
        return int(self._send("GET", f"/api/v2/dags/{dag_id}/dagRuns?limit=1")["total_entries"])

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        quoted = urllib.parse.quote(run_id, safe="")
        path = f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances"
        return {ti["task_id"]: ti["state"] for ti in self._send("GET", path)["task_instances"]}

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        """The return value of a task of a run."""
        quoted = urllib.parse.quote(run_id, safe="")
        path = (
            f"/api/v2/dags/{dag_id}/dagRuns/{quoted}/taskInstances/{task_id}"
            "/xcomEntries/return_value?deserialize=true"
        )
        return self._send("GET", path)["value"]

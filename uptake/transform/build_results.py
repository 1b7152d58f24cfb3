"""What a dbt build did, reduced to counts and failures a caller (DAG, CLI, report) can use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# dbt reports RunStatus (models, seeds), TestStatus (data/unit tests) and FreshnessStatus;
# callers only need four outcomes.
_STATUS_GROUPS: dict[str, str] = {
    "success": "pass",
    "pass": "pass",
    "warn": "warn",
    "error": "error",
    "fail": "error",
    "runtime error": "error",
    "skipped": "skip",
    "no-op": "pass",
}
STATUSES: tuple[str, ...] = ("pass", "warn", "error", "skip")
# Errors the database asks the client to retry: PostgreSQL aborts one of two transactions that
# wait on each other (SQLSTATE 40P01), as it did once for two dbt threads replacing views at the
# same time (docs/dbt.md). Building again is safe.
TRANSIENT_ERRORS: tuple[str, ...] = ("deadlock detected",)


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    resource_type: str
    status: str
    message: str


@dataclass(frozen=True)
class DbtBuildResult:
    """Outcome of one ``dbt build``: per-status counts, per-resource-type counts, failures."""

    target: str
    as_of_date: date | None
    status_counts: dict[str, int]
    counts_by_type: dict[str, dict[str, int]]
    failures: list[NodeFailure] = field(default_factory=list)
    warnings: list[NodeFailure] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    # Set when nothing the build reads changed since the last successful full build at this
    # time: no node ran, and the marts are that build's (uptake.transform.unchanged_build).
    unchanged_since: str | None = None

    @property
    def success(self) -> bool:
        return self.status_counts.get("error", 0) == 0 and not self.failures

    @property
    def failed_only_transiently(self) -> bool:
        """Every error is one the database asks to retry (TRANSIENT_ERRORS)."""
        return bool(self.failures) and all(
            any(marker in f.message for marker in TRANSIENT_ERRORS) for f in self.failures
        )

    def count(self, resource_type: str, status: str = "pass") -> int:
        return self.counts_by_type.get(resource_type, {}).get(status, 0)


class DbtBuildError(RuntimeError):
    """A model or test errored; ``result`` holds every failing node with its message."""

    def __init__(self, result: DbtBuildResult) -> None:
        self.result = result
        lines = [f"{f.unique_id} [{f.status}]: {f.message}" for f in result.failures]
        super().__init__("dbt build failed:\n" + "\n".join(lines))


def normalize_status(raw_status: Any) -> str:
    text = str(getattr(raw_status, "value", raw_status)).lower()
    return _STATUS_GROUPS.get(text, "error")


def summarize(
    node_results: list[Any],
    *,
    target: str,
    as_of_date: date | None,
    elapsed_seconds: float,
    invocation_error: str | None = None,
) -> DbtBuildResult:
    """Fold dbt ``RunResult`` objects (anything with .node, .status, .message) into a result."""
    totals: Counter[str] = Counter()
    by_type: dict[str, Counter[str]] = {}
    failures: list[NodeFailure] = []
    warnings: list[NodeFailure] = []
    for node_result in node_results:
        status = normalize_status(node_result.status)
        resource_type = str(getattr(node_result.node.resource_type, "value", "node"))
        totals[status] += 1
        by_type.setdefault(resource_type, Counter())[status] += 1
        if status in ("error", "warn"):
            entry = NodeFailure(
                unique_id=node_result.node.unique_id,
                resource_type=resource_type,
                status=str(getattr(node_result.status, "value", node_result.status)),
                message=str(node_result.message or "").strip(),
            )
            (failures if status == "error" else warnings).append(entry)
    if invocation_error:
        failures.append(NodeFailure("dbt", "invocation", "error", invocation_error))
    return DbtBuildResult(
        target=target,
        as_of_date=as_of_date,
        status_counts={status: totals.get(status, 0) for status in STATUSES},
        counts_by_type={kind: dict(counter) for kind, counter in by_type.items()},
        failures=failures,
        warnings=warnings,
        elapsed_seconds=elapsed_seconds,
    )

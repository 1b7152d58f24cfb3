"""What a quality gate run found, as plain data (no Great Expectations objects).

Kept free of heavy imports so the Airflow task, the report and tests can use it cheaply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FAIL = "fail"
WARN = "warn"
SEVERITIES = (FAIL, WARN)


@dataclass(frozen=True)
class FailedExpectation:
    table: str
    expectation: str
    severity: str
    column: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    unexpected_count: int | None = None
    observed_value: Any = None
    sample: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        detail = []
        if self.unexpected_count is not None:
            detail.append(f"{self.unexpected_count} unexpected")
        if self.observed_value is not None:
            detail.append(f"observed {self.observed_value!r}")
        if self.sample:
            detail.append(f"e.g. {self.sample[:3]!r}")
        suffix = f" ({', '.join(detail)})" if detail else ""
        return f"[{self.severity}] {where}: {self.expectation}{suffix}"


@dataclass(frozen=True)
class TableResult:
    table: str
    rows: int | None
    evaluated: int
    failed: tuple[FailedExpectation, ...] = ()

    @property
    def success(self) -> bool:
        """True when no fail-level expectation failed (warnings do not count)."""
        return not any(item.severity == FAIL for item in self.failed)


@dataclass(frozen=True)
class GateResult:
    checkpoint: str
    tables: tuple[TableResult, ...]
    data_docs_index: str | None = None
    # What the expectations cannot say but a data engineer should read (usage_hints).
    notes: tuple[str, ...] = ()

    @property
    def success(self) -> bool:
        return all(table.success for table in self.tables)

    @property
    def failures(self) -> list[FailedExpectation]:
        return [item for table in self.tables for item in table.failed if item.severity == FAIL]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [item for table in self.tables for item in table.failed if item.severity == WARN]

    def counts(self) -> dict[str, int | bool]:
        """Small summary for XCom and logs."""
        return {
            "success": self.success,
            "tables_checked": len(self.tables),
            "expectations": sum(table.evaluated for table in self.tables),
            "failed": len(self.failures),
            "warnings": len(self.warnings),
        }

    def as_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready, for the run log and the report."""
        tables = [
            {
                "table": table.table,
                "rows": table.rows,
                "evaluated": table.evaluated,
                "success": table.success,
                "failed": [item.describe() for item in table.failed],
                "details": [asdict(item) for item in table.failed],
            }
            for table in self.tables
        ]
        return {
            "checkpoint": self.checkpoint,
            "data_docs_index": self.data_docs_index,
            **self.counts(),
            "tables": tables,
            "notes": list(self.notes),
        }


class QualityGateFailed(Exception):
    """A fail-level expectation failed: downstream steps must not publish from these marts."""

    def __init__(self, result: GateResult, hint: str | None = None) -> None:
        self.result = result
        self.hint = hint
        lines = [item.describe() for item in result.failures]
        if hint:
            lines.append(f"why: {hint}")
        super().__init__(
            f"quality gate {result.checkpoint!r} failed {len(result.failures)} expectation(s):\n  "
            + "\n  ".join(lines)
        )

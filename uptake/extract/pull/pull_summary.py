"""What a pull did, per source, for the run log and the run report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


class PullError(RuntimeError):
    """A configured source could not be pulled; its message names the source and the cause.

    Raised after the pull was abandoned: no file of that delivery was written and the source's
    state (watermark, cursor) did not advance.
    """


@dataclass
class SourcePull:
    source: str  # landing-zone source folder: "crm" or "support"
    system: str  # "postgresql" or "zendesk"
    as_of: date
    status: str = "pulled"  # or "skipped" (see ``note``)
    note: str = ""
    # Rows (CRM) or records (Zendesk) read from the system, per entity: what the increment cost.
    rows_fetched: dict[str, int] = field(default_factory=dict)
    # Rows or records written to the delivery, per entity (a CRM snapshot is the full state).
    rows_written: dict[str, int] = field(default_factory=dict)
    rows_deleted: dict[str, int] = field(default_factory=dict)
    requests: int = 0  # HTTP requests made, retries included
    retries: int = 0
    files: list[str] = field(default_factory=list)  # paths relative to the pulled root
    state_before: dict[str, Any] = field(default_factory=dict)
    state_after: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "system": self.system,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "note": self.note,
            "rows_fetched": dict(self.rows_fetched),
            "rows_written": dict(self.rows_written),
            "rows_deleted": dict(self.rows_deleted),
            "requests": self.requests,
            "retries": self.retries,
            "files": list(self.files),
            "state_before": dict(self.state_before),
            "state_after": dict(self.state_after),
        }


@dataclass
class PullSummary:
    as_of: date
    sources: list[SourcePull] = field(default_factory=list)

    def get(self, source: str) -> SourcePull | None:
        return next((pull for pull in self.sources if pull.source == source), None)

    def as_rows(self) -> list[dict[str, Any]]:
        return [pull.as_dict() for pull in self.sources]

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "sources": self.as_rows()}

    def __str__(self) -> str:
        if not self.sources:
            return f"pull {self.as_of}: no pulled source configured"
        parts = [
            f"{p.source} ({p.system}) {p.status}: fetched {sum(p.rows_fetched.values())}, "
            f"wrote {sum(p.rows_written.values())}" + (f" [{p.note}]" if p.note else "")
            for p in self.sources
        ]
        return f"pull {self.as_of}: " + "; ".join(parts)

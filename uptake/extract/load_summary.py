"""What one extract run did, per (source, entity), for logs and the run report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass
class EntityLoad:
    source: str
    entity: str
    files_seen: int = 0  # = files_loaded + files_refused + files_skipped_unchanged
    files_loaded: int = 0  # read and written to raw in this run (rows and/or quarantine rows)
    files_refused: int = 0  # quarantined as a whole without being read (one row each)
    files_replaced: int = 0  # of those written, how many replaced rows their path loaded before
    files_skipped_unchanged: int = 0
    rows_in: int = 0  # rows of the files loaded in this run (= rows_loaded + rows_quarantined)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0  # loaded rows whose natural key an earlier loaded row already had


COUNT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(EntityLoad))[2:]


@dataclass
class LoadSummary:
    load_id: str
    loaded_at: datetime
    entities: dict[tuple[str, str], EntityLoad] = field(default_factory=dict)
    # Paths that are not part of the contract (each also has a quarantine row).
    ignored_paths: list[str] = field(default_factory=list)
    # "<source>/dt=YYYY-MM-DD" folders dated after today: not loaded, their files quarantined.
    future_deliveries: list[str] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)  # one per pulled source
    # On a PostgreSQL warehouse: rows copied per raw table, and the tables left unchanged.
    raw_copy: dict[str, Any] | None = None

    def entity(self, source: str, entity: str) -> EntityLoad:
        key = (source, entity)
        if key not in self.entities:
            self.entities[key] = EntityLoad(source, entity)
        return self.entities[key]

    def as_rows(self) -> list[dict[str, str | int]]:
        """One dict per (source, entity), in load order: ready for a report table."""
        return [asdict(load) for load in self.entities.values()]

    def totals(self) -> dict[str, int]:
        return {
            name: sum(getattr(load, name) for load in self.entities.values())
            for name in COUNT_NAMES
        }

    def __str__(self) -> str:
        t = self.totals()
        return (
            f"extract {self.load_id}: {t['files_loaded']} files loaded "
            f"({t['files_replaced']} replacing earlier content), {t['files_refused']} refused, "
            f"{t['files_skipped_unchanged']} unchanged, {t['rows_loaded']} rows loaded, "
            f"{t['rows_quarantined']} quarantined, {t['rows_duplicate']} duplicates"
        )

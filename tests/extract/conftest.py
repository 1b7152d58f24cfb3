"""Hand-built landing zones for the extract tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from uptake.extract import LoadSummary, extract_all
from uptake.settings import Settings

FEATURES_HEADER = (
    "feature_key,feature_name,category,events,active_min_events_30d,"
    "expected_days_to_adopt,value_weight"
)


class Landing:
    """Writes files into a landing zone root the way a source system would."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, content: str | bytes, *, gz: bool = False) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(gzip.compress(data) if gz else data)
        return path

    def jsonl(self, relative: str, records: list[Any], *, gz: bool = False) -> Path:
        """``records``: dicts (dumped as JSON) or raw strings (written as they are)."""
        lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
        return self.write(relative, "\n".join(lines) + "\n", gz=gz)

    def csv(self, relative: str, header: list[str], rows: list[list[str]]) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return self.write(relative, buffer.getvalue())

    def catalog(self) -> None:
        self.write(
            "catalog/features.csv",
            FEATURES_HEADER + "\n"
            "reports,Reports,core,Report Exported|Report Viewed,3,14,1.5\n"
            "alerts,Alerts,advanced,Alert Created,2,30,1\n",
        )
        self.write("catalog/plan_features.csv", "plan,feature_key\npro,reports\npro,alerts\n")


@pytest.fixture
def landing(settings: Settings) -> Landing:
    zone = Landing(settings.landing_dir)
    zone.catalog()
    return zone


class Raw:
    """Read-only looks at the warehouse the extract wrote."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def quarantine(self, file_path: str) -> list[tuple[int | None, str]]:
        return self.query(
            "SELECT line_number, reason FROM raw.quarantine WHERE file_path = ? "
            "ORDER BY line_number NULLS FIRST",
            [file_path],
        )

    def audit(self, file_path: str) -> tuple[int, int, int, int]:
        """(rows_in, rows_loaded, rows_quarantined, rows_duplicate) of one loaded file."""
        rows = self.query(
            "SELECT rows_in, rows_loaded, rows_quarantined, rows_duplicate "
            "FROM raw.load_audit WHERE file_path = ?",
            [file_path],
        )
        assert len(rows) == 1, rows
        return rows[0]

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every raw table's full content, sorted: equal snapshots mean nothing changed."""
        tables = [
            name
            for (name,) in self.query(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'raw' ORDER BY 1"
            )
        ]
        return {t: sorted(self.query(f"SELECT * FROM raw.{t}"), key=repr) for t in tables}


@pytest.fixture
def raw(settings: Settings) -> Raw:
    return Raw(settings)


@pytest.fixture
def load(settings: Settings) -> Callable[[], LoadSummary]:
    return lambda: extract_all(settings)

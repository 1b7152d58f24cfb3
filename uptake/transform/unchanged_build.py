"""Whether a full ``dbt build`` would redo the last successful one exactly.

A full build reads the dbt project, dbt's version, the target and vars, the `raw` tables and
the personas the train step wrote (source `ml`). When all of these are what they were at the
last successful full build, its models and tests would come out the same, so the run keeps
them and says so. The warehouse side is compared by content, not by the load ledger alone: a
hand edit of a raw row changes the row hashes as surely as a new delivery does.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, is_postgres, open_warehouse

STAMP = "last_full_build.json"
# Beyond raw: what the build reads that a later step of the previous run wrote.
EXTRA_INPUTS = (("marts", "account_personas"),)


def _tables(con: WarehouseConnection) -> list[tuple[str, str]]:
    """Every `raw` table, then the other inputs that exist, in a fixed order."""
    present = con.execute(
        "select table_schema, table_name from information_schema.tables order by 1, 2"
    ).fetchall()
    raw = [(schema, table) for schema, table in present if schema == "raw"]
    return [*raw, *(name for name in EXTRA_INPUTS if name in set(present))]


def _content(con: WarehouseConnection, schema: str, table: str) -> str:
    relation = f'{schema}."{table}"'
    if is_postgres(con):
        sql = f"select count(*), sum(hashtextextended(t::text, 0)) from {relation} as t"
    else:
        sql = f"select count(*), sum(hash(t)) from {relation} as t"
    return "|".join(str(value) for value in con.execute(sql).fetchone() or ())


def warehouse_inputs(settings: Settings) -> dict[str, str] | None:
    """A digest per kind of table the build reads (``raw``, ``ml``: the personas); None
    before there is a warehouse with raw tables."""
    if not settings.warehouse_on_postgres and not settings.warehouse_path.exists():
        return None
    digests = {"raw": hashlib.sha256(), "ml": hashlib.sha256()}
    with open_warehouse(settings, read_only=True) as con:
        tables = _tables(con)
        if not any(schema == "raw" for schema, _ in tables):
            return None
        for schema, table in tables:
            kind = "raw" if schema == "raw" else "ml"
            digests[kind].update(f"{schema}.{table}={_content(con, schema, table)}\n".encode())
    return {kind: digest.hexdigest() for kind, digest in digests.items()}


def build_key(settings: Settings, project_fingerprint: str) -> dict[str, str] | None:
    """The project's fingerprint with where the warehouse is, and what the warehouse holds;
    None: nothing to compare, build."""
    inputs = warehouse_inputs(settings)
    if inputs is None:
        return None
    where = settings.pg_dsn if settings.warehouse_on_postgres else str(settings.warehouse_path)
    project = hashlib.sha256(f"{project_fingerprint}\0{where}".encode()).hexdigest()
    return {"project": project, **inputs}


def _stamp(settings: Settings) -> Path:
    return settings.dbt_target_dir / STAMP


def _read(settings: Settings) -> dict[str, Any] | None:
    path = _stamp(settings)
    return json.loads(path.read_text()) if path.exists() else None


def last_unchanged_build(settings: Settings, key: dict[str, str] | None) -> dict[str, Any] | None:
    """The record of the last successful full build when it was made from ``key``."""
    record = _read(settings)
    if key is None or record is None:
        return None
    return record if record.get("key") == key else None


def record_build(
    settings: Settings, key: dict[str, str] | None, summary: dict[str, object]
) -> None:
    """Remember a successful full build (``key`` None: nothing to compare next time)."""
    if key is None:
        forget_build(settings)
        return
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    record = {"key": key, "built_at": built_at, **summary}
    _stamp(settings).write_text(json.dumps(record, default=str))


def record_ml_rebuild(settings: Settings, key: dict[str, str] | None) -> None:
    """After the models that read the personas were rebuilt from the personas of ``key``, the
    last full build's marts are those of these personas too (same project, vars and raw)."""
    record = _read(settings)
    if key is None or record is None:
        return
    if {k: record["key"].get(k) for k in ("project", "raw")} != {
        k: key.get(k) for k in ("project", "raw")
    }:
        return
    record["key"] = key
    _stamp(settings).write_text(json.dumps(record, default=str))


def forget_build(settings: Settings) -> None:
    """A build that failed leaves nothing to reuse."""
    _stamp(settings).unlink(missing_ok=True)

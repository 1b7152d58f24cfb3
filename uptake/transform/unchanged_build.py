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

from uptake.settings import Settings
from uptake.warehouse import WarehouseConnection, is_postgres, open_warehouse

STAMP = "last_full_build.json"
# Beyond raw: what the build reads that a later step of the previous run wrote.
EXTRA_INPUTS = (("marts", "account_personas"),)


def _tables(con: WarehouseConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = 'raw' order by table_name"
    ).fetchall()
    present = {
        (schema, table)
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return [*rows, *(name for name in EXTRA_INPUTS if name in present)]


def _content(con: WarehouseConnection, schema: str, table: str) -> str:
    relation = f'{schema}."{table}"'
    if is_postgres(con):
        sql = f"select count(*), sum(hashtextextended(t::text, 0)) from {relation} as t"
    else:
        sql = f"select count(*), sum(hash(t)) from {relation} as t"
    return "|".join(str(value) for value in con.execute(sql).fetchone() or ())


def warehouse_inputs(settings: Settings) -> str | None:
    """A digest of what the build reads from the warehouse; None before there is a warehouse."""
    if not settings.warehouse_on_postgres and not settings.warehouse_path.exists():
        return None
    digest = hashlib.sha256()
    with open_warehouse(settings, read_only=True) as con:
        tables = _tables(con)
        if not tables:
            return None
        for schema, table in tables:
            digest.update(f"{schema}.{table}={_content(con, schema, table)}\n".encode())
    return digest.hexdigest()


def build_key(settings: Settings, project_fingerprint: str) -> str | None:
    """The project's fingerprint, where the warehouse is, and what it holds; None: build."""
    inputs = warehouse_inputs(settings)
    if inputs is None:
        return None
    where = settings.pg_dsn if settings.warehouse_on_postgres else str(settings.warehouse_path)
    return hashlib.sha256(f"{project_fingerprint}\0{where}\0{inputs}".encode()).hexdigest()


def _stamp(settings: Settings) -> Path:
    return settings.dbt_target_dir / STAMP


def last_unchanged_build(settings: Settings, key: str | None) -> dict[str, object] | None:
    """The record of the last successful full build when it was made from ``key``."""
    path = _stamp(settings)
    if key is None or not path.exists():
        return None
    record = json.loads(path.read_text())
    return record if record.get("key") == key else None


def record_build(settings: Settings, key: str | None, summary: dict[str, object]) -> None:
    """Remember a successful full build (``key`` None: nothing to compare next time)."""
    path = _stamp(settings)
    if key is None:
        path.unlink(missing_ok=True)
        return
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps({"key": key, "built_at": built_at, **summary}, default=str))


def forget_build(settings: Settings) -> None:
    """A build that failed, or a partial one, leaves nothing to reuse."""
    _stamp(settings).unlink(missing_ok=True)

"""CRM from PostgreSQL: incremental reads by ``SystemModstamp``, full daily snapshots out.

Each pull reads the rows of ``accounts``, ``subscriptions`` and ``renewals`` whose
``SystemModstamp`` is at or after the saved watermark minus an overlap and before the end of
the as-of day (UTC), merges them by ``Id`` into the state kept from earlier pulls, and writes
the whole state as that day's snapshot, ``crm/dt=<as_of>/<table>.csv`` with the contract's
headers. See docs/sources.md for the semantics (reruns, older days, deletions).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from uptake.extract.pull.files import Delivery, load_state, save_state
from uptake.extract.pull.pull_summary import PullError, SourcePull
from uptake.extract.specs import CRM_ACCOUNTS, CRM_RENEWALS, CRM_SUBSCRIPTIONS
from uptake.settings import Settings

log = logging.getLogger(__name__)

SOURCE = "crm"
# Table name -> the contract's CSV header, which is also the column list read from PostgreSQL.
TABLES: dict[str, tuple[str, ...]] = {
    spec.entity: tuple(f.source for f in spec.fields)
    for spec in (CRM_ACCOUNTS, CRM_SUBSCRIPTIONS, CRM_RENEWALS)
}
WATERMARK = "SystemModstamp"
DELETED = "IsDeleted"  # optional: a soft-deleted row leaves the snapshot
FETCH_BATCH = 10_000  # rows per round trip of the server-side cursor
_TRUE = {"true", "t", "1", "yes", "y"}


def is_postgres_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, for logs and errors."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


def split_schema(url: str, default: str) -> tuple[str, str]:
    """``(url without ?schema=, schema)``: libpq rejects a ``schema`` URI parameter."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema" and value), default)
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def as_text(value: Any) -> str:
    """A PostgreSQL value as the CSV text of a Salesforce export (timestamps in UTC, ``Z``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        spec = "milliseconds" if moment.microsecond else "seconds"
        return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _is_deleted(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in _TRUE


def _table_columns(cur: Any, schema: str) -> dict[str, set[str]]:
    cur.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = ANY(%s)",
        [schema, list(TABLES)],
    )
    found: dict[str, set[str]] = {}
    for table, column in cur.fetchall():
        found.setdefault(table, set()).add(column)
    return found


def _check_columns(found: dict[str, set[str]], schema: str) -> None:
    """Every table and column the contract needs, or a PullError naming what is missing."""
    problems = []
    for table, columns in TABLES.items():
        if table not in found:
            problems.append(f'table "{schema}"."{table}" does not exist')
            continue
        missing = [c for c in (*columns, WATERMARK) if c not in found[table]]
        if missing:
            names = ", ".join(f'"{c}"' for c in missing)
            problems.append(f'table "{schema}"."{table}" has no column {names}')
    if problems:
        raise PullError(f"{SOURCE}: " + "; ".join(problems) + " (names are case-sensitive)")


def _stream(conn: Any, name: str, query: Any, params: dict[str, Any]) -> Iterator[tuple]:
    """Rows of ``query`` through a server-side cursor, FETCH_BATCH at a time."""
    with conn.cursor(name=name) as cur:
        cur.itersize = FETCH_BATCH
        cur.execute(query, params)
        yield from cur


class _TableState:
    """One table's current rows (Id -> values in header order) and its watermark."""

    def __init__(self, saved: dict[str, Any], columns: tuple[str, ...]) -> None:
        same_shape = saved.get("columns") == list(columns)
        self.rows: dict[str, list[str]] = dict(saved.get("rows", {})) if same_shape else {}
        mark = saved.get("watermark") if same_shape else None
        self.watermark: datetime | None = datetime.fromisoformat(mark) if mark else None
        self.columns = columns

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "rows": self.rows,
        }


def _pull_table(
    conn: Any,
    schema: str,
    table: str,
    has_deleted: bool,
    state: _TableState,
    upper: datetime,
    overlap: timedelta,
    pull: SourcePull,
) -> list[list[str]]:
    """Merge the table's changes into ``state``; returns rows without an Id (not kept)."""
    from psycopg2 import sql

    columns = state.columns
    selected = [*columns, WATERMARK] + ([DELETED] if has_deleted else [])
    since = state.watermark - overlap if state.watermark else None
    # A NULL SystemModstamp cannot be ordered against a watermark: such rows are read each time.
    window = "({mark} >= %(since)s OR {mark} IS NULL)" if since else "TRUE"
    query = sql.SQL(
        "SELECT {cols} FROM {table} WHERE " + window + " AND ({mark} < %(upper)s OR {mark} IS NULL)"
        " ORDER BY {mark}, {id}"
    ).format(
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in selected),
        table=sql.Identifier(schema, table),
        mark=sql.Identifier(WATERMARK),
        id=sql.Identifier("Id"),
    )
    fetched = deleted = 0
    without_id: list[list[str]] = []
    for row in _stream(conn, f"uptake_crm_{table}", query, {"since": since, "upper": upper}):
        fetched += 1
        values = [as_text(v) for v in row[: len(columns)]]
        mark = row[len(columns)]
        if mark is not None and (state.watermark is None or _utc(mark) > state.watermark):
            state.watermark = _utc(mark)
        key = values[0]
        if not key:
            without_id.append(values)  # delivered once so the loader quarantines it
        elif has_deleted and _is_deleted(row[-1]):
            deleted += state.rows.pop(key, None) is not None
        else:
            state.rows[key] = values
    # Rows removed from the table (hard deletes) leave the snapshot too: one Id-only scan.
    ids_query = sql.SQL("SELECT {id} FROM {table}").format(
        id=sql.Identifier("Id"), table=sql.Identifier(schema, table)
    )
    present = {as_text(r[0]) for r in _stream(conn, f"uptake_crm_{table}_ids", ids_query, {})}
    for key in [k for k in state.rows if k not in present]:
        del state.rows[key]
        deleted += 1
    pull.rows_fetched[table] = fetched
    pull.rows_deleted[table] = deleted
    return without_id


def _write_snapshot(
    delivery: Delivery, table: str, state: _TableState, extra: list[list[str]]
) -> int:
    with delivery.open(f"{table}.csv") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(state.columns)
        writer.writerows(state.rows[key] for key in sorted(state.rows))
        writer.writerows(extra)
    return len(state.rows) + len(extra)


def pull_crm(settings: Settings, as_of: date, root: Path) -> SourcePull:
    """Pull the CRM tables into ``root/crm/dt=<as_of>/``; raises PullError on failure."""
    import psycopg2

    state_path = root / "_state" / f"{SOURCE}.json"
    saved = load_state(state_path)
    tables = {t: _TableState(saved.get("tables", {}).get(t, {}), c) for t, c in TABLES.items()}
    pull = SourcePull(SOURCE, "postgresql", as_of)
    pull.state_before = {"as_of": saved.get("as_of")} | {
        f"{t}.watermark": s.as_json()["watermark"] for t, s in tables.items()
    }
    if saved.get("as_of") and as_of < date.fromisoformat(saved["as_of"]):
        # The database only holds the current rows: an earlier day cannot be rebuilt.
        pull.status = "skipped"
        pull.note = f"state is at {saved['as_of']}; earlier snapshots are kept as they are"
        log.warning("%s: pull for %s skipped: %s", SOURCE, as_of, pull.note)
        return pull

    dsn, schema = split_schema(settings.crm_source, settings.crm_schema)
    upper = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    overlap = timedelta(seconds=settings.crm_overlap_seconds)
    where = redacted(dsn)
    folder = root / SOURCE / f"dt={as_of.isoformat()}"
    log.info("%s: pulling %s schema %s for %s", SOURCE, where, schema, as_of)
    try:
        conn = psycopg2.connect(dsn, connect_timeout=30)
    except psycopg2.Error as exc:
        raise PullError(f"{SOURCE}: cannot connect to {where}: {exc}".strip()) from exc
    try:
        # One consistent read-only snapshot of the three tables.
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            found = _table_columns(cur, schema)
        _check_columns(found, schema)
        with Delivery(folder) as delivery:
            for table, state in tables.items():
                has_deleted = DELETED in found[table]
                extra = _pull_table(conn, schema, table, has_deleted, state, upper, overlap, pull)
                pull.rows_written[table] = _write_snapshot(delivery, table, state, extra)
            conn.rollback()  # read-only: nothing to keep
            written = delivery.commit()
    except psycopg2.Error as exc:
        raise PullError(f"{SOURCE}: reading {where} schema {schema} failed: {exc}".strip()) from exc
    finally:
        conn.close()
    save_state(
        state_path,
        {"as_of": as_of.isoformat(), "tables": {t: s.as_json() for t, s in tables.items()}},
    )
    pull.files = [p.relative_to(root).as_posix() for p in written]
    pull.state_after = {"as_of": as_of.isoformat()} | {
        f"{t}.watermark": s.as_json()["watermark"] for t, s in tables.items()
    }
    log.info(
        "%s: fetched %s, wrote %s rows to %s",
        SOURCE,
        pull.rows_fetched,
        pull.rows_written,
        folder,
    )
    return pull

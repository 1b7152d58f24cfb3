"""Incremental event models: day-by-day runs give the same tables as one full refresh.

The raw fixture is loaded the way the extract loads a landing zone, one load per run (each
with its own ``_loaded_at`` and a ``raw.load_audit`` row per file), and built as of five
days: in order, with a late event inside the lookback window, then a late event and a late
group call far beyond it plus a re-delivered file that lost a line, then a backfill to an
earlier day and forward again. After every run a copy of the warehouse is rebuilt with
``--full-refresh``; every staging, intermediate and mart table must be frame-equal.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt.fixtures import (
    METADATA,
    RAW_COLUMNS,
    _ddl,
    _table_rows,
    postgres_server_or_skip,
    raw_rows,
    throwaway_postgres_database,
)
from tests.dbt.harness import isolated_settings
from uptake.extract.schema import LOAD_AUDIT_COLUMNS
from uptake.settings import Settings

EVENTS = "product_events"
REDELIVERED = "product/dt=2026-03-10/product_events"
LOOKBACK_DAYS = 7  # dbt_project.yml late_event_lookback_days
# dbt start-up and tests cost most of a build on this fixture: every run but the last builds
# only the models (no tests picked up by indirect selection, see _models_only); the last one
# runs every data test on the incremental tables too.
MODELS_ONLY = "resource_type:model"


def _models_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")


def _extra_events() -> list[dict[str, Any]]:
    """Events the fixture lacks: late ones, and a user attributed only by a late group call."""

    def event(mid: str, kind: str, day: date, user: str, delivered: date, **kw: Any) -> dict:
        return {
            "message_id": mid,
            "event_type": kind,
            "event_timestamp": datetime(day.year, day.month, day.day, 9),
            "user_id": user,
            "event_name": kw.get("event"),
            "group_id": kw.get("group"),
            "properties_json": "{}" if kind == "track" else None,
            "traits_json": None,
            "_delivery_date": delivered,
        }

    return [
        # Inside the lookback of the 03-26 run (last as-of 03-20, window from 03-13).
        event("late-in", "track", date(2026, 3, 16), "002B-u2", date(2026, 3, 24),
              event="Dashboard Viewed", group="002B"),
        # Far beyond the lookback of the 03-31 run: an event of 03-01 delivered on 03-28 ...
        event("late-out", "track", date(2026, 3, 1), "003C-u2", date(2026, 3, 28),
              event="Report Exported", group="003C"),
        # ... and a user without groupId whose January events only a group call delivered on
        # 03-29 (grouped from 01-10 on) attributes to an account.
        event("loner-1", "track", date(2026, 1, 20), "loner", date(2026, 1, 20),
              event="Report Exported"),
        event("loner-2", "track", date(2026, 3, 27), "loner", date(2026, 3, 27),
              event="Report Exported"),
        event("loner-group", "group", date(2026, 1, 10), "loner", date(2026, 3, 29),
              group="004D"),
    ]  # fmt: skip


class Landing:
    """Writes raw like uptake.extract: whole files per delivery day, one ``_loaded_at`` per load.

    ``connect`` opens the warehouse (DuckDB or psycopg2), ``mark`` is its parameter marker.
    """

    def __init__(self, connect: Callable[[], Any], mark: str = "?", double: str = "DOUBLE") -> None:
        self.connect, self.mark = connect, mark
        self.loaded: set[str] = set()
        self.loads = 0
        rows = raw_rows()
        rows[EVENTS] = rows[EVENTS] + _extra_events()
        self.files: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        for table, table_rows in rows.items():
            for row in _table_rows(table, table_rows):
                self.files.setdefault(table, {}).setdefault(row[-4], []).append(row)
        audit = ", ".join(f"{name} {kind}" for name, kind in LOAD_AUDIT_COLUMNS)
        self._run(
            lambda cur: [
                cur.execute("drop schema if exists raw cascade"),
                cur.execute("create schema raw"),
                *(cur.execute(_ddl(table, double)) for table in RAW_COLUMNS),
                cur.execute(f"create table raw.load_audit ({audit})"),
            ]
        )

    def _run(self, action: Callable[[Any], Any]) -> None:
        con = self.connect()
        try:
            cur = con.cursor()
            action(cur)
            con.commit()
        finally:
            con.close()

    def _write(self, cur: Any, table: str, path: str, rows: list[tuple[Any, ...]]) -> None:
        loaded_at = datetime(2026, 4, 1, 6) + timedelta(hours=self.loads)
        m = self.mark
        cur.execute(f"delete from raw.{table} where _source_file = {m}", [path])
        cur.execute(f"delete from raw.load_audit where file_path = {m}", [path])
        if rows:
            width = len(RAW_COLUMNS[table]) + len(METADATA)
            cur.executemany(
                f"insert into raw.{table} values ({', '.join([m] * width)})",
                [(*row[:-1], loaded_at) for row in rows],
            )
        cur.execute(
            "insert into raw.load_audit (load_id, source, entity, file_path, delivery_date, "
            f"rows_in, rows_loaded, loaded_at) values ({', '.join([m] * 8)})",
            [f"load-{self.loads}", table.split("_")[0], table, path, rows[0][-3] if rows else None,
             len(rows), len(rows), loaded_at],
        )  # fmt: skip
        self.loaded.add(path)

    def load(self, up_to: date, redeliver_without: str | None = None) -> None:
        """One load: every file delivered up to ``up_to`` not loaded yet; optionally the file
        REDELIVERED again without the message ``redeliver_without``."""
        self.loads += 1

        def write(cur: Any) -> None:
            for table, files in self.files.items():
                for path, rows in sorted(files.items()):
                    delivered = rows[0][-3]
                    # Non-event tables arrive whole in the first load (models read them as of).
                    due = table != EVENTS or delivered <= up_to
                    if path not in self.loaded and due:
                        self._write(cur, table, path, rows)
            if redeliver_without is not None:
                kept = [r for r in self.files[EVENTS][REDELIVERED] if r[0] != redeliver_without]
                assert len(kept) < len(self.files[EVENTS][REDELIVERED])
                self.files[EVENTS][REDELIVERED] = kept
                self._write(cur, EVENTS, REDELIVERED, kept)

        self._run(write)


def _tables(connect: Callable[[], Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table dbt built (not the state records), rows sorted, floats rounded."""
    con = connect()
    try:
        cur = con.cursor()
        cur.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts') "
            "and table_type = 'BASE TABLE' and table_name <> 'incremental_state' order by 1"
        )
        out = {}
        for (name,) in cur.fetchall():
            cur.execute(f"select * from {name}")
            normalized = [
                tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                for row in cur.fetchall()
            ]
            out[name] = sorted(normalized, key=repr)
        return out
    finally:
        con.close()


def _windows(connect: Callable[[], Any], model: str) -> list[date]:
    """Every window start recorded for ``model``, oldest first."""
    con = connect()
    try:
        cur = con.cursor()
        cur.execute(
            "select window_start from intermediate.incremental_state "
            f"where model_name = '{model}' order by recorded_at"
        )
        return [row[0] for row in cur.fetchall()]
    finally:
        con.close()


def _window(connect: Callable[[], Any], model: str) -> date | None:
    return _windows(connect, model)[-1]


def _window_of_build(connect: Callable[[], Any], model: str, build: Callable[[], Any]) -> date:
    """The window ``build`` recomputed ``model`` from.

    On PostgreSQL a build that hit a deadlock is run again (docs/dbt.md): the first attempt
    may already have rebuilt ``model`` from the early window, so the retry records a later
    one. What the build recomputed is the earliest window either attempt recorded.
    """
    before = len(_windows(connect, model))
    build()
    return min(_windows(connect, model)[before:])


def _full_refresh_copy(settings: Settings, home: Path, as_of: date) -> Path:
    from uptake.transform import run_dbt_build

    home.mkdir(parents=True)
    copy = replace(settings, home=home, warehouse_path=home / "warehouse.duckdb")
    shutil.copy(settings.warehouse_path, copy.warehouse_path)
    run_dbt_build(copy, as_of_date=as_of, select=MODELS_ONLY, full_refresh=True)
    return copy.warehouse_path


def test_day_by_day_incremental_runs_equal_a_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uptake.transform import run_dbt_build

    settings = isolated_settings(tmp_path / "home", monkeypatch)
    _models_only(monkeypatch)
    settings.warehouse_path.parent.mkdir(parents=True)
    landing = Landing(lambda: duckdb.connect(str(settings.warehouse_path)))

    def warehouse() -> Any:
        return duckdb.connect(str(settings.warehouse_path), read_only=True)

    late_in_feature = "marts.fct_feature_usage_daily"

    # (load up to, re-delivery, as-of date of the run, expected window of the attribution)
    runs: list[tuple[date | None, bool, date, date]] = [
        (date(2026, 3, 20), False, date(2026, 3, 20), date(1900, 1, 1)),  # first build: all
        # late-in (03-16) lies inside [03-20 - 7, 03-26]: the lookback alone recomputes it.
        (date(2026, 3, 26), False, date(2026, 3, 26), date(2026, 3, 20) - timedelta(LOOKBACK_DAYS)),
        # late-out (03-01), the late group call (from 01-10), and a re-delivered 03-10 file.
        (date(2026, 3, 31), True, date(2026, 3, 31), date(2026, 1, 10)),
        (None, False, date(2026, 3, 22), date(2026, 1, 10)),  # backfill: an earlier day
        (None, False, date(2026, 3, 31), date(2026, 1, 10)),  # and forward again
    ]  # fmt: skip
    dropped = landing.files[EVENTS][REDELIVERED][0][0]  # the file's first message
    for number, (up_to, redeliver, as_of, expected_window) in enumerate(runs, start=1):
        if up_to is not None:
            landing.load(up_to, redeliver_without=dropped if redeliver else None)
        run_dbt_build(
            settings, as_of_date=as_of, select=None if number == len(runs) else MODELS_ONLY
        )
        assert _window(warehouse, "int_track_events_attributed") == expected_window
        incremental = _tables(warehouse)
        if number > 1:  # the first build is a full one anyway
            copy = _full_refresh_copy(settings, tmp_path / f"full-{number}", as_of)
            full = _tables(lambda copy=copy: duckdb.connect(str(copy), read_only=True))
            assert incremental.keys() == full.keys()
            for table, rows in full.items():
                assert incremental[table] == rows, f"run {number} as of {as_of}: {table} differs"

        usage = {(r[0], r[1], r[2]) for r in incremental[late_in_feature]}
        if as_of >= date(2026, 3, 26):  # the late event is counted from its delivery on
            assert ("002B", "dashboards", date(2026, 3, 16)) in usage
        if number >= 3:  # the re-delivered file no longer holds its first message
            staged = {r[0] for r in incremental["staging.stg_segment__tracks"]}
            assert dropped not in staged and "late-out" in staged
        attributed = {r[0]: r[1] for r in incremental["intermediate.int_track_events_attributed"]}
        if as_of >= date(2026, 3, 29):  # the late group call attributes the January event
            assert attributed.get("loner-1") == "004D"
        else:
            assert "loner-1" not in attributed


@pytest.mark.postgres
def test_incremental_runs_on_postgres_equal_a_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same SQL on PostgreSQL, kept short: a first build, an incremental run with the late
    events, the late group call and the re-delivered file, a backfill, then a full refresh."""
    import psycopg2

    from uptake.transform import run_dbt_build

    server = postgres_server_or_skip()
    with throwaway_postgres_database(server) as dsn:
        settings = isolated_settings(
            tmp_path / "home", monkeypatch, UPTAKE_DBT_TARGET="postgres", UPTAKE_PG_DSN=dsn
        )
        _models_only(monkeypatch)

        def warehouse() -> Any:
            return psycopg2.connect(dsn)

        landing = Landing(warehouse, mark="%s", double="DOUBLE PRECISION")
        dropped = landing.files[EVENTS][REDELIVERED][0][0]
        landing.load(date(2026, 3, 26))
        run_dbt_build(settings, as_of_date=date(2026, 3, 26), select=MODELS_ONLY)
        landing.load(date(2026, 3, 31), redeliver_without=dropped)
        window = _window_of_build(
            warehouse,
            "int_track_events_attributed",
            lambda: run_dbt_build(settings, as_of_date=date(2026, 3, 31), select=MODELS_ONLY),
        )
        assert window == date(2026, 1, 10)
        run_dbt_build(settings, as_of_date=date(2026, 3, 22), select=MODELS_ONLY)
        incremental = _tables(warehouse)
        assert incremental["marts.fct_feature_usage_daily"]
        window = _window_of_build(
            warehouse,
            "int_track_events_attributed",
            lambda: run_dbt_build(
                settings, as_of_date=date(2026, 3, 22), select=MODELS_ONLY, full_refresh=True
            ),
        )
        assert window == date(1900, 1, 1)
        full = _tables(warehouse)
        assert incremental.keys() == full.keys()
        for table, rows in full.items():
            assert incremental[table] == rows, f"{table} differs"

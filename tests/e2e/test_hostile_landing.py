"""A landing zone holding one of each hostile item still runs through Airflow, fills the marts,
and accounts for every item: quarantined with a reason, or loaded where it is data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hostile import (
    LEAKED_MESSAGE_ID,
    LEAKED_TICKET_SUBJECT,
    PART_MESSAGE_PREFIX,
    add_hostile_items,
)

from uptake.orchestration.run_checks import CONTRACT_TABLES
from uptake.settings import get_settings
from uptake.warehouse import open_warehouse

pytestmark = pytest.mark.e2e

MAX_FILE_BYTES = 64 * 1024 * 1024


def _hostile_run(tmp_path: Path, extra: dict[str, str], start: date | None = None) -> None:
    """Simulate a company, add one of each hostile item, run the four DAGs and check that every
    item is accounted for in the warehouse the settings name."""
    from uptake.orchestration.dags_test_runner import run_pipeline
    from uptake.simulation import simulate

    landing = tmp_path / "landing"
    summary = simulate(landing, accounts=30, months=6, seed=29, start_date=start)
    last_real_delivery = max(
        p.name for p in (landing / "product_events").iterdir() if p.name.startswith("dt=")
    )
    items = add_hostile_items(landing, tmp_path / "outside", bomb_bytes=4 * MAX_FILE_BYTES)
    settings = replace(
        get_settings(
            {
                "UPTAKE_HOME": str(tmp_path / "home"),
                "UPTAKE_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
                **extra,
            }
        ),
        landing_dir=landing,
    )
    settings.apply()

    result = run_pipeline(settings)

    # Neither the stray README in dt=2099-12-31 nor the future delivery moved the as-of date.
    assert result.as_of_date.isoformat() == last_real_delivery[3:]
    assert summary.rows  # the simulator wrote a real company around the hostile items
    with open_warehouse(settings, read_only=True) as con:
        for table in CONTRACT_TABLES:
            assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0, table
        quarantine = con.execute(
            "select file_path, line_number, reason from raw.quarantine"
        ).fetchall()
        by_path: dict[str, list[tuple[int | None, str]]] = {}
        for path, line, reason in quarantine:
            by_path.setdefault(path, []).append((line, reason))
        for item in items:
            if not item.quarantined:
                continue
            found = by_path.get(item.file_path)
            assert found, f"{item.name}: {item.file_path} not in raw.quarantine"
            assert all(reason for _, reason in found), item.name
            levels = {line is not None for line, _ in found}
            assert levels == {item.line_level}, (item.name, found)
        parts = con.execute(
            "select count(*) from raw.product_events where message_id like ?",
            [PART_MESSAGE_PREFIX + "%"],
        ).fetchone()[0]
        assert parts == 3  # the _-prefixed part file is data
        leaked = con.execute(
            "select count(*) from raw.product_events where message_id = ?", [LEAKED_MESSAGE_ID]
        ).fetchone()[0]
        leaked += con.execute(
            "select count(*) from raw.support_tickets where subject = ?", [LEAKED_TICKET_SUBJECT]
        ).fetchone()[0]
        assert leaked == 0
        # The stray-quote file lost only its bad line.
        stray = next(i for i in items if i.name == "stray quote")
        loaded = con.execute(
            "select intervention_id from raw.cs_interventions where _source_file = ? order by 1",
            [stray.file_path],
        ).fetchall()
        assert loaded == [("iv-stray-1",), ("iv-stray-3",)]
        # Counts reconcile per file: rows in = loaded + quarantined.
        unbalanced = con.execute(
            "select count(*) from raw.load_audit where rows_in <> rows_loaded + rows_quarantined"
        ).fetchone()[0]
        assert unbalanced == 0


def test_every_hostile_item_is_accounted_for(tmp_path: Path) -> None:
    _hostile_run(tmp_path, {})


@pytest.mark.postgres
@pytest.mark.slow  # a second whole run through Airflow: in `make test-slow`
def test_every_hostile_item_is_accounted_for_with_postgresql_as_the_warehouse(
    tmp_path: Path,
) -> None:
    """The same company seven years back (2019), with UPTAKE_WAREHOUSE=postgresql://...: the
    raw copy carries the quarantine and the load audit, and the run fills every contract table."""
    from tests.dbt.fixtures import postgres_server_or_skip, throwaway_postgres_database

    with throwaway_postgres_database(postgres_server_or_skip()) as dsn:
        _hostile_run(tmp_path, {"UPTAKE_WAREHOUSE": dsn}, start=date(2019, 6, 1))

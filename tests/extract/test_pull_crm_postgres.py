"""CRM pulled from PostgreSQL: incremental by SystemModstamp, a full snapshot per day."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from uptake.extract.pull import PullError, pull_sources
from uptake.extract.pull.crm_postgres import as_text, split_schema
from uptake.settings import Settings, get_settings

SERVER = get_settings({}).pg_dsn  # the local test server: postgresql://postgres@127.0.0.1/test
DAY1, DAY2, DAY3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)

ACCOUNTS_DDL = """
CREATE TABLE {s}.accounts (
  "Id" text PRIMARY KEY, "Name" text, "Industry" text, "NumberOfEmployees" integer,
  "BillingCountry" text, "OwnerId" text, "Primary_Use_Case__c" text, "CreatedDate" timestamptz,
  "SystemModstamp" timestamptz NOT NULL, "IsDeleted" boolean NOT NULL DEFAULT false)
"""
SUBSCRIPTIONS_DDL = """
CREATE TABLE {s}.subscriptions (
  "Id" text PRIMARY KEY, "AccountId" text, "Plan__c" text, "Seats__c" numeric(10, 0),
  "ARR__c" numeric(12, 2), "StartDate" date, "EndDate" date, "Status" text,
  "SystemModstamp" timestamp NOT NULL)
"""
RENEWALS_DDL = """
CREATE TABLE {s}.renewals (
  "Id" text PRIMARY KEY, "AccountId" text, "CloseDate" date, "Type" text, "StageName" text,
  "Amount" double precision, "SystemModstamp" timestamptz NOT NULL)
"""


def _ts(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _reachable() -> bool:
    import psycopg2

    try:
        psycopg2.connect(SERVER, connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


class Crm:
    """A uniquely named schema on the local server holding the three CRM tables."""

    def __init__(self, conn: Any, schema: str) -> None:
        self.conn, self.schema = conn, schema

    def run(self, statement: str, params: Any = None) -> None:
        with self.conn.cursor() as cur:
            cur.execute(statement.replace("{s}", f'"{self.schema}"'), params)

    def account(self, key: str, name: str, stamp: datetime, deleted: bool = False) -> None:
        self.run(
            'INSERT INTO {s}.accounts VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT'
            ' ("Id") DO UPDATE SET "Name" = EXCLUDED."Name", "SystemModstamp" ='
            ' EXCLUDED."SystemModstamp", "IsDeleted" = EXCLUDED."IsDeleted"',
            [key, name, "Software", 250, "DE", "csm-1", "reporting",
             datetime(2025, 1, 15, 9, 30, tzinfo=UTC), stamp, deleted],
        )  # fmt: skip


@pytest.fixture
def crm(settings: Settings) -> Iterator[tuple[Crm, Settings]]:
    import psycopg2

    if not _reachable():
        pytest.skip(f"PostgreSQL not reachable at {SERVER}")
    schema = f"uptake_crm_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(SERVER)
    conn.autocommit = True
    db = Crm(conn, schema)
    try:
        db.run("CREATE SCHEMA {s}")
        for ddl in (ACCOUNTS_DDL, SUBSCRIPTIONS_DDL, RENEWALS_DDL):
            db.run(ddl)
        yield db, replace(settings, crm_source=SERVER, crm_schema=schema, crm_overlap_seconds=300)
    finally:
        db.run("DROP SCHEMA IF EXISTS {s} CASCADE")
        conn.close()


def _csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _snapshot(settings: Settings, day: date, table: str) -> list[list[str]]:
    return _csv(settings.pulled_dir / "crm" / f"dt={day.isoformat()}" / f"{table}.csv")


@pytest.mark.postgres
def test_incremental_pulls_build_full_daily_snapshots(crm: tuple[Crm, Settings]) -> None:
    db, s = crm
    for n in range(1, 6):  # day 1: five accounts changed hourly from 06:00 to 10:00
        db.account(f"001A{n}", f"Account {n}", _ts(1, 5 + n))
    db.run(
        "INSERT INTO {s}.subscriptions VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s), "
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        ["a0S1", "001A1", "pro", 50, Decimal("12000.00"), date(2025, 1, 15), date(2026, 1, 14),
         "Active", datetime(2026, 3, 1, 7),
         "a0S2", "001A2", "starter", 10, Decimal("1500.50"), date(2025, 2, 1), None,
         "Active", datetime(2026, 3, 1, 8)],
    )  # fmt: skip
    db.run(
        "INSERT INTO {s}.renewals VALUES (%s, %s, %s, %s, %s, %s, %s)",
        ["006R1", "001A1", date(2026, 1, 14), "Renewal", "Closed Won", 12000.0, _ts(1, 7)],
    )

    day1 = pull_sources(s, DAY1).get("crm")
    assert day1 is not None and day1.status == "pulled"
    assert day1.rows_fetched == {"accounts": 5, "subscriptions": 2, "renewals": 1}
    accounts1 = _snapshot(s, DAY1, "accounts")
    assert accounts1[0] == [
        "Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry", "OwnerId",
        "Primary_Use_Case__c", "CreatedDate",
    ]  # fmt: skip
    assert accounts1[1] == [
        "001A1", "Account 1", "Software", "250", "DE", "csm-1", "reporting",
        "2025-01-15T09:30:00Z",
    ]  # fmt: skip
    assert _snapshot(s, DAY1, "subscriptions") == [
        ["Id", "AccountId", "Plan__c", "Seats__c", "ARR__c", "StartDate", "EndDate", "Status"],
        ["a0S1", "001A1", "pro", "50", "12000.00", "2025-01-15", "2026-01-14", "Active"],
        ["a0S2", "001A2", "starter", "10", "1500.50", "2025-02-01", "", "Active"],
    ]
    assert _snapshot(s, DAY1, "renewals")[1] == [
        "006R1", "001A1", "2026-01-14", "Renewal", "Closed Won", "12000.0",
    ]  # fmt: skip
    day1_bytes = (s.pulled_dir / "crm" / "dt=2026-03-01" / "accounts.csv").read_bytes()

    # Day 2: one rename, one new account, one soft delete, one hard-deleted subscription,
    # one seat change; an account changed on day 3 must not reach day 2's snapshot.
    db.account("001A2", "Account 2 renamed", _ts(2, 9))
    db.account("001A6", "Account 6", _ts(2, 10))
    db.account("001A1", "Account 1", _ts(2, 11), deleted=True)
    db.account("001A7", "Account 7", _ts(3, 8))
    db.run("""DELETE FROM {s}.subscriptions WHERE "Id" = 'a0S2'""")
    db.run(
        """UPDATE {s}.subscriptions SET "Seats__c" = 60, "SystemModstamp" = %s
        WHERE "Id" = 'a0S1'""",
        [datetime(2026, 3, 2, 12)],
    )

    day2 = pull_sources(s, DAY2).get("crm")
    assert day2 is not None
    # Only the three changed accounts, plus 001A5 whose 10:00 stamp is within the 300 s
    # overlap of the day-1 watermark; not 001A3/001A4, not 001A7 (day 3).
    assert day2.rows_fetched == {"accounts": 4, "subscriptions": 1, "renewals": 1}
    assert day2.rows_deleted == {"accounts": 1, "subscriptions": 1, "renewals": 0}
    accounts2 = _snapshot(s, DAY2, "accounts")
    assert [(row[0], row[1]) for row in accounts2[1:]] == [
        ("001A2", "Account 2 renamed"),
        ("001A3", "Account 3"),
        ("001A4", "Account 4"),
        ("001A5", "Account 5"),
        ("001A6", "Account 6"),
    ]
    assert [row[:4] for row in _snapshot(s, DAY2, "subscriptions")[1:]] == [
        ["a0S1", "001A1", "pro", "60"]
    ]
    assert day2.state_after["accounts.watermark"] == "2026-03-02T11:00:00+00:00"
    # Day 1's snapshot is history: untouched.
    assert (s.pulled_dir / "crm" / "dt=2026-03-01" / "accounts.csv").read_bytes() == day1_bytes

    # Rerunning day 2 reads only the rows within the overlap of each watermark (the latest
    # change of each table) and writes the same bytes.
    day2_files = {
        p.name: p.read_bytes() for p in (s.pulled_dir / "crm" / "dt=2026-03-02").iterdir()
    }
    again = pull_sources(s, DAY2).get("crm")
    assert again is not None and again.rows_fetched == {
        "accounts": 1, "subscriptions": 1, "renewals": 1,
    }  # fmt: skip
    assert {
        p.name: p.read_bytes() for p in (s.pulled_dir / "crm" / "dt=2026-03-02").iterdir()
    } == day2_files

    # An older day than the state cannot be rebuilt from current rows: skipped, nothing touched.
    state = (s.pulled_dir / "_state" / "crm.json").read_bytes()
    older = pull_sources(s, DAY1).get("crm")
    assert older is not None and older.status == "skipped"
    assert (s.pulled_dir / "_state" / "crm.json").read_bytes() == state
    assert (s.pulled_dir / "crm" / "dt=2026-03-01" / "accounts.csv").read_bytes() == day1_bytes

    day3 = pull_sources(s, DAY3).get("crm")
    assert day3 is not None and day3.rows_fetched["accounts"] == 2  # 001A7 + overlap 001A1
    assert [row[0] for row in _snapshot(s, DAY3, "accounts")[1:]][-1] == "001A7"


@pytest.mark.postgres
def test_the_schema_can_be_given_in_the_url(crm: tuple[Crm, Settings]) -> None:
    db, s = crm
    db.account("001A1", "Account 1", _ts(1, 6))
    in_url = replace(s, crm_source=f"{SERVER}?schema={db.schema}", crm_schema="public")
    pull = pull_sources(in_url, DAY1).get("crm")
    assert pull is not None and pull.rows_fetched["accounts"] == 1
    assert split_schema("postgresql://u@h/db?sslmode=require&schema=crm", "public") == (
        "postgresql://u@h/db?sslmode=require",
        "crm",
    )
    assert split_schema("postgresql://u@h/db", "sales") == ("postgresql://u@h/db", "sales")


@pytest.mark.postgres
def test_a_missing_table_or_column_is_named_and_nothing_is_written(
    crm: tuple[Crm, Settings],
) -> None:
    db, s = crm
    db.run('ALTER TABLE {s}.subscriptions RENAME COLUMN "Plan__c" TO plan__c')
    db.run("DROP TABLE {s}.renewals")
    with pytest.raises(PullError) as failure:
        pull_sources(s, DAY1)
    message = str(failure.value)
    assert message.startswith("crm: ")
    assert f'table "{db.schema}"."subscriptions" has no column "Plan__c"' in message
    assert f'table "{db.schema}"."renewals" does not exist' in message
    assert not (s.pulled_dir / "crm").exists()
    assert not (s.pulled_dir / "_state" / "crm.json").exists()


def test_an_unreachable_server_fails_naming_it_without_the_password(settings: Settings) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    s = replace(settings, crm_source=f"postgresql://crm:s3cret-pw@127.0.0.1:{port}/sales")
    with pytest.raises(PullError) as failure:
        pull_sources(s, DAY1)
    message = str(failure.value)
    assert message.startswith(f"crm: cannot connect to postgresql://crm@127.0.0.1:{port}/sales")
    assert "s3cret-pw" not in message and "s3cret-pw" not in repr(s)


def test_values_are_written_as_a_salesforce_export_writes_them() -> None:
    assert as_text(None) == ""
    assert as_text(datetime(2026, 3, 1, 12, 0, 5)) == "2026-03-01T12:00:05Z"
    assert as_text(datetime(2026, 3, 1, 12, 0, 5, 250000, tzinfo=UTC)) == "2026-03-01T12:00:05.250Z"
    assert as_text(datetime.fromisoformat("2026-03-01T14:00:00+02:00")) == "2026-03-01T12:00:00Z"
    assert as_text(date(2026, 3, 1)) == "2026-03-01"
    assert as_text(Decimal("1E+3")) == "1000"
    assert as_text(Decimal("12.50")) == "12.50"
    assert as_text(True) == "true"
    assert as_text(42) == "42"


@pytest.mark.postgres
def test_extract_all_loads_each_pulled_day_as_a_snapshot(
    crm: tuple[Crm, Settings], landing: Any
) -> None:
    import duckdb

    from uptake.extract import extract_all

    db, s = crm
    db.account("001A1", "Account 1", _ts(1, 6))
    db.run(
        "INSERT INTO {s}.subscriptions VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        ["a0S1", "001A1", "pro", 50, Decimal("12000.00"), date(2025, 1, 15), date(2026, 1, 14),
         "Active", datetime(2026, 3, 1, 7)],
    )  # fmt: skip
    landing.csv("crm/dt=2026-03-01/accounts.csv", ["Id"], [["001LANDED"]])  # not read
    first = extract_all(s, as_of=DAY1)
    db.account("001A2", "Account 2", _ts(2, 6))
    second = extract_all(s, as_of=DAY2)
    for summary in (first, second):
        accounts = summary.entity("crm", "accounts")
        assert (accounts.files_loaded, accounts.rows_quarantined) == (1, 0)
        assert summary.entity("crm", "subscriptions").rows_quarantined == 0
    assert "crm/dt=2026-03-01/accounts.csv" in first.ignored_paths
    with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT snapshot_date, id, created_date FROM raw.crm_accounts ORDER BY 1, 2"
        ).fetchall()
        subscription = con.execute(
            "SELECT seats, arr, end_date FROM raw.crm_subscriptions"
        ).fetchall()
    assert rows == [
        (DAY1, "001A1", date(2025, 1, 15)),
        (DAY2, "001A1", date(2025, 1, 15)),
        (DAY2, "001A2", date(2025, 1, 15)),
    ]
    assert subscription == [(50, 12000.0, date(2026, 1, 14))] * 2

"""A hand-written raw warehouse (docs/architecture.md "raw schema") for the dbt tests.

Seven accounts, four features, a few dozen events: small enough to reason about every expected
value by hand (see the comments), shaped to hit the edge cases the models must handle:
renamed events, duplicate deliveries, track events without context.groupId, late deliveries,
plan and owner changes between CRM snapshots, ticket re-exports, and cohort fallback.

``AS_OF`` (2026-03-31) is the latest delivery date, so it is also the project's default as_of_date.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2026, 3, 31)
LOADED_AT = datetime(2026, 4, 1, 6, 0, 0)
CRM_SNAPSHOTS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), AS_OF)

METADATA = [
    ("_source_file", "VARCHAR"),
    ("_delivery_date", "DATE"),
    ("_line_number", "INTEGER"),
    ("_loaded_at", "TIMESTAMP"),
]

RAW_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "catalog_features": [
        ("feature_key", "VARCHAR"),
        ("feature_name", "VARCHAR"),
        ("category", "VARCHAR"),
        ("events", "VARCHAR"),
        ("active_min_events_30d", "INTEGER"),
        ("expected_days_to_adopt", "INTEGER"),
        ("value_weight", "DOUBLE"),
    ],
    "catalog_plan_features": [("plan", "VARCHAR"), ("feature_key", "VARCHAR")],
    "catalog_product": [("key", "VARCHAR"), ("value", "VARCHAR")],
    "product_events": [
        ("message_id", "VARCHAR"),
        ("event_type", "VARCHAR"),
        ("event_timestamp", "TIMESTAMP"),
        ("user_id", "VARCHAR"),
        ("event_name", "VARCHAR"),
        ("group_id", "VARCHAR"),
        ("properties_json", "VARCHAR"),
        ("traits_json", "VARCHAR"),
    ],
    "crm_accounts": [
        ("snapshot_date", "DATE"),
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("industry", "VARCHAR"),
        ("number_of_employees", "INTEGER"),
        ("billing_country", "VARCHAR"),
        ("owner_id", "VARCHAR"),
        ("primary_use_case", "VARCHAR"),
        ("created_date", "DATE"),
    ],
    "crm_subscriptions": [
        ("snapshot_date", "DATE"),
        ("id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("plan", "VARCHAR"),
        ("seats", "INTEGER"),
        ("arr", "DOUBLE"),
        ("start_date", "DATE"),
        ("end_date", "DATE"),
        ("status", "VARCHAR"),
    ],
    "crm_renewals": [
        ("snapshot_date", "DATE"),
        ("id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("close_date", "DATE"),
        ("type", "VARCHAR"),
        ("stage_name", "VARCHAR"),
        ("amount", "DOUBLE"),
    ],
    "support_organizations": [("id", "VARCHAR"), ("external_id", "VARCHAR"), ("name", "VARCHAR")],
    "support_tickets": [
        ("id", "VARCHAR"),
        ("organization_id", "VARCHAR"),
        ("requester_id", "VARCHAR"),
        ("subject", "VARCHAR"),
        ("description", "VARCHAR"),
        ("status", "VARCHAR"),
        ("priority", "VARCHAR"),
        ("type", "VARCHAR"),
        ("tags", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
    ],
    "cs_notes": [
        ("id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("author", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("channel", "VARCHAR"),
        ("body", "VARCHAR"),
    ],
    "cs_interventions": [
        ("intervention_id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("feature_key", "VARCHAR"),
        ("type", "VARCHAR"),
        ("owner", "VARCHAR"),
        ("started_at", "TIMESTAMP"),
    ],
}


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    industry: str
    employees: int
    plan: str
    seats: int
    arr: float
    owner: str


# With benchmark cohorts of at least 5 peers (harness.FIXTURE_COHORT_MIN_ACCOUNTS):
# A1..A5 share the cohort software|smb|pro (5 accounts: kept); A6 is alone in
# retail|enterprise|pro and in retail|*|pro and falls back to the plan cohort *|*|pro (6
# accounts); A7 is alone on basic and falls back to *|*|*. A1 moved basic -> pro on 2026-03-01
# and csm-1 -> csm-2 on AS_OF.
ACCOUNTS = (
    Account("001A", "Acme", "Software", 50, "pro", 10, 18000.0, "csm-2"),
    Account("002B", "Bolt", "Software", 40, "pro", 5, 9000.0, "csm-1"),
    Account("003C", "Cask", "Software", 60, "pro", 5, 9000.0, "csm-1"),
    Account("004D", "Dune", "Software", 20, "pro", 5, 9000.0, "csm-3"),
    Account("005E", "Echo", "Software", 80, "pro", 5, 9000.0, "csm-3"),
    Account("006F", "Fern", "Retail", 5000, "pro", 50, 60000.0, "csm-4"),
    Account("007G", "Gull", "Retail", 30, "basic", 3, 3000.0, "csm-4"),
)

FEATURES = (
    # key, name, category, events, active_min_events_30d, expected_days_to_adopt, value_weight
    ("reports", "Reports", "core", "Report Exported|report_exported", 5, 30, 3.0),
    ("dashboards", "Dashboards", "core", "Dashboard Viewed", 3, 30, 2.0),
    ("salesforce_integration", "Salesforce Integration", "advanced", "SFDC Sync Run", 2, 60, 4.0),
    ("ai_insights", "AI Insights", "premium", "Insight Generated", 3, 90, 5.0),
)

PLAN_FEATURES = {
    "basic": ("reports", "dashboards"),
    "pro": ("reports", "dashboards", "salesforce_integration"),
    "enterprise": ("reports", "dashboards", "salesforce_integration", "ai_insights"),
}


def _ts(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, 0)


class _Events:
    """Builds raw.product_events rows; message ids are sequential unless given."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._next = 0

    def add(
        self,
        kind: str,
        day: date,
        user: str,
        *,
        event: str | None = None,
        group: str | None = None,
        traits: dict[str, str] | None = None,
        delivered: date | None = None,
        message_id: str | None = None,
        hour: int = 12,
        properties: dict[str, str] | None = None,
    ) -> str:
        self._next += 1
        mid = message_id or f"m-{self._next:04d}"
        self.rows.append(
            {
                "message_id": mid,
                "event_type": kind,
                "event_timestamp": _ts(day, hour),
                "user_id": user,
                "event_name": event,
                "group_id": group,
                "properties_json": json.dumps(properties or {}) if kind == "track" else None,
                "traits_json": json.dumps(traits) if traits else None,
                "_delivery_date": delivered or day,
            }
        )
        return mid

    def track(self, day: date, user: str, event: str, group: str | None, **kw: Any) -> str:
        return self.add("track", day, user, event=event, group=group, **kw)


def _product_events() -> list[dict[str, Any]]:
    ev = _Events()
    d = date
    # Group calls tie users to accounts; A1's u1 sends track events without context.groupId.
    for account in ACCOUNTS:
        ev.add("group", d(2025, 12, 1), f"{account.account_id}-u1", group=account.account_id)
    ev.add("identify", d(2025, 12, 1), "001A-u1", traits={"email": "u1@acme.test", "role": "admin"})

    # A1 reports: 3 old + 3 renamed event names by u1, 2026-03-20..25, no groupId -> 6 events,
    # u1 reaches 5 events on 03-24 -> adopted from 2026-03-24. Only counts if renames map.
    for offset in range(6):
        name = "Report Exported" if offset < 3 else "report_exported"
        ev.track(d(2026, 3, 20) + timedelta(days=offset), "001A-u1", name, None)
    # The same message delivered twice (at-least-once): counted once.
    ev.track(d(2026, 3, 26), "001A-u1", "Dashboard Viewed", "001A", message_id="dup-1")
    ev.track(
        d(2026, 3, 26),
        "001A-u1",
        "Dashboard Viewed",
        "001A",
        message_id="dup-1",
        delivered=d(2026, 3, 31),
    )
    # A1 dashboards: u2 once on 03-28 -> with dup-1, 2 events < 3 -> trying.
    ev.track(d(2026, 3, 28), "001A-u2", "Dashboard Viewed", "001A")
    # A1 salesforce_integration: used in January only -> abandoned; two of the three runs
    # failed (properties.error), an empty error is no failure.
    for day, error in ((d(2026, 1, 20), "timeout"), (d(2026, 1, 21), "auth"), (d(2026, 1, 22), "")):
        ev.track(day, "001A-u1", "SFDC Sync Run", "001A", properties={"error": error})
    # A1 ai_insights: not entitled on pro, used once -> a non-entitled row, trying.
    ev.track(d(2026, 3, 10), "001A-u2", "Insight Generated", "001A")
    # Point in time: an event on 02-20 (delivered that day) and one on 02-25 delivered late on
    # 03-05. The 2026-03-01 snapshot sees only the first.
    ev.track(d(2026, 2, 20), "001A-u2", "Dashboard Viewed", "001A")
    # The late one failed: the 2026-03-01 snapshot sees no failure, the as-of day one.
    ev.track(
        d(2026, 2, 25),
        "001A-u2",
        "Dashboard Viewed",
        "001A",
        delivered=d(2026, 3, 5),
        properties={"error": "render"},
    )

    # A2, A3, A6 adopt reports (5 events by one user); A4 tries dashboards; A5, A7 are silent.
    for account_id in ("002B", "003C", "006F"):
        for offset in range(5):
            ev.track(
                d(2026, 3, 10) + timedelta(days=offset),
                f"{account_id}-u1",
                "Report Exported",
                account_id,
            )
    for offset in range(2):
        ev.track(d(2026, 3, 12) + timedelta(days=offset), "004D-u1", "Dashboard Viewed", "004D")
    # An event nobody can attribute (no groupId, no group call) is left out.
    ev.track(d(2026, 3, 15), "stranger", "Report Exported", None)
    # Activity that is no feature: counts as account activity, not feature usage.
    ev.track(d(2026, 3, 29), "001A-u2", "Logged In", "001A")
    return ev.rows


def _crm_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    accounts, subscriptions, renewals = [], [], []
    for snapshot in CRM_SNAPSHOTS:
        for account in ACCOUNTS:
            plan, arr, owner = account.plan, account.arr, account.owner
            if account.account_id == "001A":
                plan, arr = ("basic", 12000.0) if snapshot < date(2026, 3, 1) else ("pro", 18000.0)
                owner = "csm-1" if snapshot < AS_OF else "csm-2"
            accounts.append(
                {
                    "snapshot_date": snapshot,
                    "id": account.account_id,
                    "name": account.name,
                    "industry": account.industry,
                    "number_of_employees": account.employees,
                    "billing_country": "US",
                    "owner_id": owner,
                    "primary_use_case": "analytics",
                    "created_date": date(2025, 11, 1),
                    "_delivery_date": snapshot,
                }
            )
            subscriptions.append(
                {
                    "snapshot_date": snapshot,
                    "id": f"S-{account.account_id}",
                    "account_id": account.account_id,
                    "plan": plan,
                    "seats": account.seats,
                    "arr": arr,
                    "start_date": date(2025, 12, 1),
                    "end_date": date(2026, 11, 30),
                    "status": "Active",
                    "_delivery_date": snapshot,
                }
            )
        # A7's renewal: open in March, Closed Lost on AS_OF -> a churn.
        if snapshot >= date(2026, 3, 1):
            renewals.append(
                {
                    "snapshot_date": snapshot,
                    "id": "R-7",
                    "account_id": "007G",
                    "close_date": date(2026, 3, 15),
                    "type": "Renewal",
                    "stage_name": "Negotiation" if snapshot < AS_OF else "Closed Lost",
                    "amount": 3000.0,
                    "_delivery_date": snapshot,
                }
            )
    renewals.append(
        {
            "snapshot_date": AS_OF,
            "id": "R-1",
            "account_id": "001A",
            "close_date": date(2026, 3, 1),
            "type": "Expansion",
            "stage_name": "Closed Won",
            "amount": 6000.0,
            "_delivery_date": AS_OF,
        }
    )
    return accounts, subscriptions, renewals


def _support_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    organizations = [
        {"id": str(9000 + n), "external_id": a.account_id, "name": a.name, "_delivery_date": AS_OF}
        for n, a in enumerate(ACCOUNTS, start=1)
    ]

    def ticket(tid: str, status: str, updated: datetime, delivered: date, **kw: Any) -> dict:
        row = {
            "id": tid,
            "organization_id": "9001",
            "requester_id": "77",
            "subject": "",
            "description": "",
            "status": status,
            "priority": "normal",
            "type": "question",
            "tags": None,
            "created_at": datetime(2026, 3, 2, 9),
            "updated_at": updated,
            "_delivery_date": delivered,
        }
        row.update(kw)
        return row

    how_to = {"subject": "How do I export reports?", "description": "Looking for the button"}
    tickets = [
        # T1 changes open -> solved; the solved row is exported twice.
        ticket("1", "open", datetime(2026, 3, 2, 9), date(2026, 3, 2), **how_to),
        ticket("1", "solved", datetime(2026, 3, 5, 9), date(2026, 3, 5), **how_to),
        ticket("1", "solved", datetime(2026, 3, 5, 9), date(2026, 3, 6), **how_to),
        # T2: the tag names the feature although the text does not.
        ticket(
            "2",
            "open",
            datetime(2026, 3, 8, 9),
            date(2026, 3, 8),
            subject="Sync broken",
            type="problem",
            tags="salesforce_integration|bug",
            created_at=datetime(2026, 3, 8, 9),
        ),
        # T3: about no feature.
        ticket(
            "3",
            "open",
            datetime(2026, 3, 9, 9),
            date(2026, 3, 9),
            subject="Billing question",
            created_at=datetime(2026, 3, 9, 9),
        ),
    ]
    return organizations, tickets


def _cs_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    notes = [
        {
            "id": "n-1",
            "account_id": "001A",
            "author": "csm-1",
            "channel": "call",
            "created_at": datetime(2026, 3, 3, 10),
            "body": "Customer asked about AI Insights pricing",
            "_delivery_date": date(2026, 3, 3),
        },
        {
            "id": "n-2",
            "account_id": "002B",
            "author": "csm-1",
            "channel": "email",
            "created_at": datetime(2026, 3, 4, 10),
            "body": "Quarterly check-in, all good",
            "_delivery_date": date(2026, 3, 4),
        },
    ]
    interventions = [
        # Followed by adoption on 2026-03-24.
        {
            "intervention_id": "i-1",
            "account_id": "001A",
            "feature_key": "reports",
            "type": "training",
            "owner": "csm-1",
            "started_at": datetime(2026, 3, 1, 15),
            "_delivery_date": date(2026, 3, 1),
        },
        # Not adopted and its 60 days are still open at AS_OF: outcome unknown.
        {
            "intervention_id": "i-2",
            "account_id": "005E",
            "feature_key": "dashboards",
            "type": "in_app_guide",
            "owner": "csm-3",
            "started_at": datetime(2026, 3, 20, 15),
            "_delivery_date": date(2026, 3, 20),
        },
    ]
    return notes, interventions


def raw_rows() -> dict[str, list[dict[str, Any]]]:
    """Every raw table's rows (data columns plus _delivery_date; other metadata is added)."""
    accounts, subscriptions, renewals = _crm_rows()
    organizations, tickets = _support_rows()
    notes, interventions = _cs_rows()
    features = [
        dict(zip([c for c, _ in RAW_COLUMNS["catalog_features"]], f, strict=True)) for f in FEATURES
    ]
    plan_features = [
        {"plan": plan, "feature_key": key} for plan, keys in PLAN_FEATURES.items() for key in keys
    ]
    return {
        "catalog_features": features,
        "catalog_plan_features": plan_features,
        "catalog_product": [{"key": "complexity", "value": "low"}],
        "product_events": _product_events(),
        "crm_accounts": accounts,
        "crm_subscriptions": subscriptions,
        "crm_renewals": renewals,
        "support_organizations": organizations,
        "support_tickets": tickets,
        "cs_notes": notes,
        "cs_interventions": interventions,
    }


def _table_rows(table: str, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as tuples in column order, with load metadata (one file per delivery day)."""
    columns = [c for c, _ in RAW_COLUMNS[table]]
    source = table.split("_", 1)[0]
    out = []
    for line, row in enumerate(rows, start=1):
        delivered = row.get("_delivery_date")
        partition = f"dt={delivered.isoformat()}/" if delivered else ""
        source_file = f"{source}/{partition}{table}"
        out.append((*[row.get(c) for c in columns], source_file, delivered, line, LOADED_AT))
    return out


def _ddl(table: str, double_type: str) -> str:
    columns = ", ".join(
        f"{name} {double_type if kind == 'DOUBLE' else kind}"
        for name, kind in RAW_COLUMNS[table] + METADATA
    )
    return f"create table raw.{table} ({columns})"


def write_duckdb_raw(path: Path) -> None:
    """Create the raw schema with the fixture rows in the DuckDB file at ``path``."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        for table, rows in raw_rows().items():
            con.execute(f"drop table if exists raw.{table}")
            con.execute(_ddl(table, "DOUBLE"))
            width = len(RAW_COLUMNS[table]) + len(METADATA)
            placeholders = ", ".join(["?"] * width)
            con.executemany(
                f"insert into raw.{table} values ({placeholders})", _table_rows(table, rows)
            )
    finally:
        con.close()


def write_postgres_raw(dsn: str) -> None:
    """Create the raw schema with the fixture rows in the PostgreSQL database at ``dsn``."""
    import psycopg2

    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cur:
            cur.execute("drop schema if exists raw cascade")
            cur.execute("create schema raw")
            for table, rows in raw_rows().items():
                cur.execute(_ddl(table, "DOUBLE PRECISION"))
                width = len(RAW_COLUMNS[table]) + len(METADATA)
                placeholders = ", ".join(["%s"] * width)
                cur.executemany(
                    f"insert into raw.{table} values ({placeholders})", _table_rows(table, rows)
                )
    finally:
        con.close()


def _admin_dsn(dsn: str, database: str) -> str:
    return dsn.rsplit("/", 1)[0] + "/" + database


def postgres_server_or_skip() -> str:
    """The local server's DSN (settings' default); the calling test is skipped when it is down."""
    import psycopg2
    import pytest

    from uptake.settings import get_settings

    server = get_settings({}).pg_dsn
    try:
        psycopg2.connect(server, connect_timeout=3).close()
    except psycopg2.OperationalError:
        pytest.skip(f"PostgreSQL not reachable at {server}")
    return server


@contextmanager
def throwaway_postgres_database(server_dsn: str) -> Iterator[str]:
    """A fresh database on the server of ``server_dsn``, dropped afterwards; yields its DSN."""
    import psycopg2

    name = f"uptake_dbt_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server_dsn)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"create database {name}")
        yield _admin_dsn(server_dsn, name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"drop database if exists {name} with (force)")
        admin.close()

"""Reruns change nothing; re-delivered files replace their own rows; counts reconcile."""

from __future__ import annotations

import json

import uptake.extract.loader as loader

EVENTS_1 = "product_events/dt=2026-03-01/events.jsonl.gz"
EVENTS_2 = "product_events/dt=2026-03-02/events.jsonl"
ACCOUNTS = "crm/dt=2026-03-01/accounts.csv"
ACCOUNTS_HEADER = [
    "Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry", "OwnerId",
    "Primary_Use_Case__c", "CreatedDate",
]  # fmt: skip


def event(message_id: str, event: str = "Report Exported") -> dict:
    return {
        "type": "track",
        "messageId": message_id,
        "timestamp": "2026-03-01T10:00:00Z",
        "userId": "u-1",
        "event": event,
        "context": {"groupId": "001A"},
    }


def build(landing) -> None:
    landing.jsonl(EVENTS_1, [event("m-1"), "broken", event("m-2"), event("m-1")], gz=True)
    landing.jsonl(EVENTS_2, [event("m-2"), event("m-3"), {"type": "alias"}])
    landing.csv(
        ACCOUNTS,
        ACCOUNTS_HEADER,
        [
            ["001A", "Acme", "Software", "10", "DE", "csm-1", "reporting", "2025-01-01"],
            ["", "No id", "Software", "10", "DE", "csm-1", "reporting", "2025-01-01"],
        ],
    )
    landing.jsonl("support/dt=2026-03-01/tickets.jsonl", [{"id": 1, "tags": ["a"]}])
    landing.jsonl("cs/dt=2026-03-01/notes.jsonl", [{"id": "n-1", "account_id": "001A"}])


def assert_reconciled(raw, summary) -> None:
    """Per file: rows_in = loaded + quarantined, and raw/quarantine hold exactly those rows."""
    audit = raw.query(
        "SELECT file_path, rows_in, rows_loaded, rows_quarantined FROM raw.load_audit"
    )
    assert audit
    for path, rows_in, rows_loaded, rows_quarantined in audit:
        assert rows_in == rows_loaded + rows_quarantined, path
        (in_quarantine,) = raw.query(
            "SELECT count(*) FROM raw.quarantine WHERE file_path = ?", [path]
        )[0]
        assert in_quarantine == rows_quarantined, path
    tables = [t for (t,) in raw.query(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND column_name = '_source_file'"
    )]  # fmt: skip
    loaded = {}
    for table in tables:
        for path, count in raw.query(f"SELECT _source_file, count(*) FROM raw.{table} GROUP BY 1"):
            loaded[path] = count
    assert loaded == {path: n for path, _, n, _ in audit if n}
    totals = summary.totals()
    assert totals["rows_in"] == totals["rows_loaded"] + totals["rows_quarantined"]


def test_rerun_on_the_same_landing_zone_changes_nothing(landing, load, raw):
    build(landing)
    first = load()
    assert_reconciled(raw, first)
    before = raw.snapshot()
    assert before["product_events"] and before["quarantine"] and before["load_audit"]

    second = load()

    assert raw.snapshot() == before
    totals = second.totals()
    assert totals["files_loaded"] == 0
    assert totals["files_skipped_unchanged"] == totals["files_seen"] == 7
    assert totals["rows_in"] == totals["rows_loaded"] == totals["rows_duplicate"] == 0


def test_a_redelivered_file_replaces_its_rows_quarantine_and_audit(landing, load, raw):
    build(landing)
    load()
    other_file_rows = raw.query(
        "SELECT * FROM raw.product_events WHERE _source_file = ? ORDER BY _line_number",
        [EVENTS_2],
    )
    assert raw.audit(EVENTS_1) == (4, 3, 1, 1)
    assert raw.audit(EVENTS_2) == (3, 2, 1, 1)

    # Same path, new content: the broken line is fixed, m-1 is no longer sent twice.
    landing.jsonl(EVENTS_1, [event("m-1"), event("m-4", "Alert Created"), event("m-2")], gz=True)
    summary = load()

    events = summary.entity("product_events", "events")
    assert (events.files_loaded, events.files_skipped_unchanged) == (1, 1)
    assert raw.query(
        "SELECT message_id, event_name, _line_number FROM raw.product_events "
        "WHERE _source_file = ? ORDER BY _line_number",
        [EVENTS_1],
    ) == [("m-1", "Report Exported", 1), ("m-4", "Alert Created", 2), ("m-2", "Report Exported", 3)]
    assert raw.quarantine(EVENTS_1) == []
    assert raw.audit(EVENTS_1) == (3, 3, 0, 0)
    # The untouched file keeps its rows, and m-2 there still repeats the re-delivered file.
    assert (
        raw.query(
            "SELECT * FROM raw.product_events WHERE _source_file = ? ORDER BY _line_number",
            [EVENTS_2],
        )
        == other_file_rows
    )
    assert raw.audit(EVENTS_2) == (3, 2, 1, 1)
    assert raw.query("SELECT count(*) FROM raw.load_audit WHERE file_path = ?", [EVENTS_1]) == [
        (1,)
    ]
    assert_reconciled(raw, summary)


def test_a_batch_that_fails_in_sql_isolates_the_file_at_fault(landing, load, raw, monkeypatch):
    landing.jsonl(EVENTS_2, [event("m-1")])
    poisoned = "product_events/dt=2026-03-03/events.jsonl"
    landing.jsonl(poisoned, [event("m-2"), event("m-3", "BOOM")])
    original = loader.batch_rows_sql

    def failing_on_boom(spec, relation):
        guarded = (
            f"(SELECT * FROM {relation} WHERE CASE WHEN contains(line, 'BOOM') "
            "THEN error('engine failure') ELSE true END)"
        )
        return original(spec, guarded if spec.entity == "events" else relation)

    monkeypatch.setattr(loader, "batch_rows_sql", failing_on_boom)
    summary = load()

    assert raw.query("SELECT message_id FROM raw.product_events") == [("m-1",)]
    assert raw.quarantine(poisoned) == [(None, "load_error")]
    assert raw.audit(poisoned) == (1, 0, 1, 0)
    events = summary.entity("product_events", "events")
    assert (events.files_loaded, events.rows_loaded, events.rows_quarantined) == (2, 1, 1)


def test_summary_rows_for_a_report(landing, load):
    build(landing)
    summary = load()
    rows = {(r["source"], r["entity"]): r for r in summary.as_rows()}
    assert rows[("product_events", "events")] == {
        "source": "product_events",
        "entity": "events",
        "files_seen": 2,
        "files_loaded": 2,
        "files_refused": 0,
        "files_replaced": 0,
        "files_skipped_unchanged": 0,
        "rows_in": 7,
        "rows_loaded": 5,
        "rows_quarantined": 2,
        "rows_duplicate": 2,
    }
    assert rows[("crm", "accounts")]["rows_quarantined"] == 1
    assert summary.totals()["files_loaded"] == 7
    assert json.dumps(summary.as_rows())  # plain values only
    assert "7 files loaded" in str(summary)

"""Hostile landing zones: nothing crashes a run, nothing vanishes, nothing from outside loads."""

from __future__ import annotations

import gzip
import json
import os
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from uptake.extract import extract_all, latest_delivery_date

TODAY = date(2026, 3, 10)
DAY = "2026-03-02"
ACCOUNTS_HEADER = (
    "Id,Name,Industry,NumberOfEmployees,BillingCountry,OwnerId,Primary_Use_Case__c,CreatedDate\n"
)
ACCOUNT = "001A,Acme,Software,10,DE,csm-1,reporting,2025-01-01\n"
SUBS_HEADER = "Id,AccountId,Plan__c,Seats__c,ARR__c,StartDate,EndDate,Status\n"
SECRET = "TOP-SECRET-OUTSIDE-THE-LANDING-ZONE"


def track(message_id: str, **extra: object) -> dict:
    message = {
        "type": "track",
        "messageId": message_id,
        "timestamp": "2026-03-01T12:00:00Z",
        "userId": "u-1",
        "event": "Report Exported",
        "context": {"groupId": "001A"},
    }
    message.update(extra)
    return message


@pytest.fixture
def run(settings):
    return lambda today=TODAY: extract_all(settings, today=today)


def everything(raw) -> str:
    """Every value of every raw table as one text, to prove something never got in."""
    return repr(raw.snapshot())


def reasons(raw) -> list[tuple[str, int | None, str]]:
    return raw.query("SELECT file_path, line_number, reason FROM raw.quarantine ORDER BY 1, 2")


# --- the as-of date -------------------------------------------------------------------------


def test_latest_delivery_date_counts_only_files_the_loader_loads(landing):
    assert latest_delivery_date(landing.root, today=TODAY) is None  # only the catalog
    landing.write(f"crm/dt={DAY}/accounts.csv", ACCOUNTS_HEADER + ACCOUNT)
    landing.write("crm/dt=2026-03-05/README.txt", "stray")
    landing.write("crm/dt=2026-03-06/Accounts.csv", ACCOUNTS_HEADER + ACCOUNT)
    landing.write("crm/dt=2026-03-07/accounts.csv", "")  # empty: nothing to load
    landing.write("product_events/dt=2026-03-08/events.json.gz", b"x", gz=True)
    landing.write("crm/dt=2099-12-31/README.txt", "stray in the far future")
    assert latest_delivery_date(landing.root, today=TODAY) == date(2026, 3, 2)
    landing.jsonl("product_events/dt=2026-03-04/_part-0001.jsonl.gz", [track("m-1")], gz=True)
    assert latest_delivery_date(landing.root, today=TODAY) == date(2026, 3, 4)


def test_a_future_delivery_is_not_the_as_of_date_and_is_not_loaded(landing, run, raw):
    landing.write(f"crm/dt={DAY}/accounts.csv", ACCOUNTS_HEADER + ACCOUNT)
    future = "crm/dt=2026-03-11/accounts.csv"
    landing.write(future, ACCOUNTS_HEADER + "001F,Future,Software,10,DE,csm-1,x,2025-01-01\n")
    landing.jsonl("product_events/dt=2026-04-01/events.jsonl", [track("m-future")])
    landing.write("cs/dt=2099-12-31/README.txt", "a stray file is no delivery")

    assert latest_delivery_date(landing.root, today=TODAY) == date(2026, 3, 2)
    summary = run()

    assert summary.future_deliveries == ["crm/dt=2026-03-11", "product_events/dt=2026-04-01"]
    assert raw.query("SELECT id FROM raw.crm_accounts") == [("001A",)]
    assert raw.query("SELECT count(*) FROM raw.product_events") == [(0,)]
    assert raw.quarantine(future) == [(None, "future_delivery_date")]
    assert raw.audit(future) == (1, 0, 1, 0)
    accounts = summary.entity("crm", "accounts")
    assert (accounts.files_seen, accounts.files_loaded, accounts.files_refused) == (2, 1, 1)

    # Rerun on the same day: unchanged. Once the day has come, the file loads in its place.
    again = run()
    assert again.totals()["files_refused"] == 0
    assert again.entity("crm", "accounts").files_skipped_unchanged == 2
    later = run(date(2026, 3, 11))
    assert later.entity("crm", "accounts").files_replaced == 1
    assert raw.quarantine(future) == []
    assert raw.audit(future) == (1, 1, 0, 0)
    assert sorted(raw.query("SELECT id FROM raw.crm_accounts")) == [("001A",), ("001F",)]
    assert latest_delivery_date(landing.root, today=date(2026, 3, 11)) == date(2026, 3, 11)


# --- symlinks -------------------------------------------------------------------------------


def outside_files(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "dt=2026-03-02").mkdir(parents=True)
    body = ACCOUNTS_HEADER + f"{SECRET},Leak,Software,10,DE,csm-1,x,2025-01-01\n"
    (outside / "accounts.csv").write_text(body)
    (outside / "dt=2026-03-02" / "accounts.csv").write_text(body)
    (outside / "events.jsonl").write_text(json.dumps(track(SECRET)) + "\n")
    return outside


def test_symlinks_leading_out_of_the_landing_zone_are_refused_unread(landing, run, raw, tmp_path):
    outside = outside_files(tmp_path)
    root = landing.root
    (root / "crm" / f"dt={DAY}").mkdir(parents=True)
    (root / "crm" / f"dt={DAY}" / "accounts.csv").symlink_to(outside / "accounts.csv")
    (root / "crm" / "dt=2026-03-03").symlink_to(outside / "dt=2026-03-02")
    (root / "support").symlink_to(outside)
    (root / "product_events" / f"dt={DAY}").mkdir(parents=True)
    (root / "product_events" / f"dt={DAY}" / "events.jsonl").symlink_to(outside / "events.jsonl")
    landing.write(f"cs/dt={DAY}/notes.jsonl", '{"id": "n-1", "account_id": "001A"}\n')

    summary = run()

    assert SECRET not in everything(raw)
    assert reasons(raw) == [
        (f"crm/dt={DAY}/accounts.csv", None, "symlink_outside_landing_zone"),
        ("crm/dt=2026-03-03/", None, "symlink_outside_landing_zone"),
        (f"product_events/dt={DAY}/events.jsonl", None, "symlink_outside_landing_zone"),
        ("support/", None, "symlink_outside_landing_zone"),
    ]
    (detail,) = raw.query("SELECT record FROM raw.quarantine WHERE file_path = 'support/'")[0]
    assert detail.startswith("symlink to ")
    assert raw.query("SELECT id FROM raw.cs_notes") == [("n-1",)]  # the rest still loads
    assert summary.entity("crm", "accounts").files_refused == 1
    assert summary.entity("crm", "unknown").files_refused == 1
    assert summary.entity("support", "unknown").files_refused == 1


def test_symlinks_inside_are_followed_unless_they_loop_or_reach_a_hidden_folder(landing, run, raw):
    root = landing.root
    landing.write(f"crm/dt={DAY}/accounts.csv", ACCOUNTS_HEADER + ACCOUNT)
    landing.write("_truth/accounts.csv", ACCOUNTS_HEADER + SECRET + ",x,,,,,,\n")
    (root / "crm" / "dt=2026-03-03").mkdir()
    (root / "crm" / "dt=2026-03-03" / "accounts.csv").symlink_to(
        root / "crm" / f"dt={DAY}" / "accounts.csv"
    )
    (root / "crm" / "dt=2026-03-04").mkdir()
    (root / "crm" / "dt=2026-03-04" / "accounts.csv").symlink_to(root / "_truth" / "accounts.csv")
    (root / "crm" / "dt=2026-03-05").mkdir()
    loop = root / "crm" / "dt=2026-03-05" / "accounts.csv"
    loop.symlink_to(root / "crm" / "dt=2026-03-05" / "subscriptions.csv")
    (root / "crm" / "dt=2026-03-05" / "subscriptions.csv").symlink_to(loop)
    (root / "crm" / "dt=2026-03-06").symlink_to(root / "crm")  # a folder loop

    run()

    assert SECRET not in everything(raw)
    assert raw.query("SELECT _source_file FROM raw.crm_accounts ORDER BY 1") == [
        (f"crm/dt={DAY}/accounts.csv",),
        ("crm/dt=2026-03-03/accounts.csv",),
    ]
    assert reasons(raw) == [
        ("crm/dt=2026-03-04/accounts.csv", None, "symlink_outside_landing_zone"),
        ("crm/dt=2026-03-05/accounts.csv", None, "unreadable_path"),
        ("crm/dt=2026-03-05/subscriptions.csv", None, "unreadable_path"),
        ("crm/dt=2026-03-06/dt=2026-03-02/", None, "unrecognized_folder"),
        ("crm/dt=2026-03-06/dt=2026-03-03/", None, "unrecognized_folder"),
        ("crm/dt=2026-03-06/dt=2026-03-04/", None, "unrecognized_folder"),
        ("crm/dt=2026-03-06/dt=2026-03-05/", None, "unrecognized_folder"),
        ("crm/dt=2026-03-06/dt=2026-03-06/", None, "unrecognized_folder"),
    ]


def test_a_named_pipe_never_blocks_the_run(landing, run, raw):
    folder = landing.root / "crm" / f"dt={DAY}"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "accounts.csv")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (run(), done.set()), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done.is_set()
    assert reasons(raw) == [(f"crm/dt={DAY}/accounts.csv", None, "not_a_regular_file")]


# --- names ----------------------------------------------------------------------------------


def test_names_that_are_not_utf8_are_quarantined_under_an_escaped_name(landing, run, raw):
    folder = landing.root / "product_events" / f"dt={DAY}"
    landing.jsonl(f"product_events/dt={DAY}/a.jsonl", [track("m-1")])
    bad_file = os.path.join(os.fsencode(folder), b"bad\xff.jsonl")
    with open(bad_file, "wb") as handle:
        handle.write(json.dumps(track("m-bad")).encode() + b"\n")
    bad_folder = os.path.join(os.fsencode(landing.root / "crm"), b"dt=2026-03-0\xfe")
    os.makedirs(bad_folder)
    with open(os.path.join(bad_folder, b"accounts.csv"), "wb") as handle:
        handle.write((ACCOUNTS_HEADER + ACCOUNT).encode())
    os.makedirs(os.path.join(os.fsencode(landing.root), b"src\xff"))
    landing.write(f"cs/dt={DAY}/notes.jsonl", '{"id": "n-1", "account_id": "001A"}\n')

    summary = run()

    assert raw.query("SELECT message_id FROM raw.product_events") == [("m-1",)]
    assert raw.query("SELECT id FROM raw.cs_notes") == [("n-1",)]
    assert reasons(raw) == [
        ("crm/dt=2026-03-0\\xfe/", None, "non_utf8_name"),
        (f"product_events/dt={DAY}/bad\\xff.jsonl", None, "non_utf8_name"),
        ("src\\xff/", None, "non_utf8_name"),
    ]
    audited = {p for (p,) in raw.query("SELECT file_path FROM raw.load_audit")}
    assert f"product_events/dt={DAY}/bad\\xff.jsonl" in audited
    assert summary.totals()["rows_quarantined"] == 3


def test_misnamed_empty_and_headerless_files_each_get_a_quarantine_row(landing, run, raw):
    day = f"crm/dt={DAY}"
    landing.write(f"{day}/Accounts.csv", ACCOUNTS_HEADER + ACCOUNT)
    landing.write(f"product_events/dt={DAY}/events.json.gz", b"{}", gz=True)
    landing.write(f"cs/dt={DAY}/notes.txt", "hello")
    landing.write(f"cs/dt={DAY}/notes.jsonl", "")
    landing.write(f"{day}/subscriptions.csv", SUBS_HEADER)
    landing.write(f"{day}/accounts.csv", ACCOUNT + "001B,Beta,,,,,,\n")
    landing.write(f"{day}/renewals.csv", "\n\n")
    landing.jsonl(f"product_events/dt={DAY}/_part-0001.jsonl", [track("m-1")])
    landing.jsonl(f"product_events/dt={DAY}/.part-0002.jsonl", [track("m-2")])
    landing.write(f"support/dt={DAY}/tickets.jsonl", "\n  \n")

    summary = run()

    assert raw.query("SELECT message_id, _source_file FROM raw.product_events") == [
        ("m-1", f"product_events/dt={DAY}/_part-0001.jsonl")
    ]
    assert reasons(raw) == [
        (f"crm/dt={DAY}/Accounts.csv", None, "unrecognized_file_name"),
        (f"crm/dt={DAY}/accounts.csv", 1, "missing_header"),
        (f"crm/dt={DAY}/accounts.csv", 2, "missing_header"),
        (f"crm/dt={DAY}/renewals.csv", None, "no_data_rows"),
        (f"crm/dt={DAY}/subscriptions.csv", None, "no_data_rows"),
        (f"cs/dt={DAY}/notes.jsonl", None, "empty_file"),
        (f"cs/dt={DAY}/notes.txt", None, "unrecognized_file_name"),
        (f"product_events/dt={DAY}/.part-0002.jsonl", None, "unrecognized_file_name"),
        (f"product_events/dt={DAY}/events.json.gz", None, "unrecognized_file_name"),
        (f"support/dt={DAY}/tickets.jsonl", None, "no_data_rows"),
    ]
    assert raw.audit(f"{day}/accounts.csv") == (2, 0, 2, 0)
    assert raw.audit(f"{day}/subscriptions.csv") == (1, 0, 1, 0)
    totals = summary.totals()
    assert totals["rows_in"] == totals["rows_loaded"] + totals["rows_quarantined"]
    assert totals["rows_quarantined"] == raw.query("SELECT count(*) FROM raw.quarantine")[0][0]


# --- CSV quoting ----------------------------------------------------------------------------


def test_a_stray_quote_never_swallows_the_rows_after_it(landing, run, raw):
    path = f"crm/dt={DAY}/accounts.csv"
    lines = [f"00{i},Name {i},Software,10,DE,csm-1,x,2025-01-01\n" for i in range(1, 11)]
    lines[1] = '002,"5" monitor",Software,10,DE,csm-1,x,2025-01-01\n'  # closed, then text
    lines[2] = '003,"abc,Software,10,DE,csm-1,x,2025-01-01\n'  # never closed
    lines[4] = '005,27" monitor,Software,10,DE,csm-1,x,2025-01-01\n'  # a plain character
    lines[6] = '007,"Acme\nEMEA",Software,10,DE,csm-1,x,2025-01-01\n'  # a real line break
    landing.write(path, ACCOUNTS_HEADER + "".join(lines))

    run()

    loaded = raw.query("SELECT id, name, _line_number FROM raw.crm_accounts ORDER BY 3")
    assert [row[0] for row in loaded] == ["001", "004", "005", "006", "007", "008", "009", "0010"]
    assert ("005", '27" monitor', 5) in loaded
    assert ("007", "Acme\nEMEA", 7) in loaded
    assert raw.quarantine(path) == [(2, "malformed_csv_row"), (3, "malformed_csv_row")]
    (record,) = raw.query("SELECT record FROM raw.quarantine WHERE line_number = 3")[0]
    assert record == '003,"abc,Software,10,DE,csm-1,x,2025-01-01'
    assert raw.audit(path) == (10, 8, 2, 0)


# --- values that break the contract ---------------------------------------------------------


def test_catalog_values_that_break_the_contract_are_quarantined(landing, run, raw):
    landing.write(
        "catalog/features.csv",
        "feature_key,feature_name,category,events,active_min_events_30d,"
        "expected_days_to_adopt,value_weight\n"
        "reports,Reports,Core ,A,3,14,1.5\n"  # 1: category judged trimmed, lower-cased
        " Reports,Again,core,B,3,14,1\n"  # 2: the same key once trimmed and lower-cased
        "alerts,Alerts,basic,C,2,30,1\n"  # 3
        "sso,SSO,premium,D,-1,30,1\n"  # 4
        "api,API,premium,E,1,-30,1\n"  # 5
        "sync,Sync,premium,F,1,30,0\n"  # 6
        "audit,Audit,advanced,G,1,30,\n",  # 7: no weight is allowed
    )
    landing.write(
        "catalog/plan_features.csv",
        "plan,feature_key\npro,reports\npro,REPORTS\npro,alerts\npro,ghost\npro,audit\n",
    )
    landing.write("catalog/product.csv", "key,value\ncomplexity,extreme\n")

    run()

    assert raw.query("SELECT feature_key FROM raw.catalog_features ORDER BY 1") == [
        ("audit",),
        ("reports",),
    ]
    assert raw.quarantine("catalog/features.csv") == [
        (2, "duplicate_key:feature_key"),
        (3, "unknown_value:category"),
        (4, "negative_value:active_min_events_30d"),
        (5, "negative_value:expected_days_to_adopt"),
        (6, "non_positive_value:value_weight"),
    ]
    assert raw.quarantine("catalog/plan_features.csv") == [
        (2, "duplicate_key:plan,feature_key"),
        (3, "unknown_feature:feature_key"),
        (4, "unknown_feature:feature_key"),
    ]
    assert raw.quarantine("catalog/product.csv") == [(1, "unknown_value:value")]


def test_crm_values_that_break_the_contract_are_quarantined(landing, run, raw):
    subs = f"crm/dt={DAY}/subscriptions.csv"
    landing.write(
        subs,
        SUBS_HEADER + "s-1,001A,pro,10,100,2025-01-01,2029-12-31,Active\n"  # 5-year term ok
        "s-2,001A,pro,-1,100,2025-01-01,2026-01-01,Active\n"
        "s-3,001A,pro,10,-5,2025-01-01,2026-01-01,Active\n"
        "s-4,001A,pro,10,100,2025-01-01,2026-01-01,Paused\n"
        "s-5,001A,pro,10,100,2025-01-01,2026-01-01, active \n"  # a picklist in any case
        "s-6,001A,pro,10,100,infinity,2026-01-01,Active\n"
        "s-7,001A,pro,10,100,-infinity,2026-01-01,Active\n"
        "s-8,001A,pro,10,100,epoch,2026-01-01,Active\n"
        "s-9,001A,pro,10,100,1969-12-31,2026-01-01,Active\n"
        "s-10,001A,pro,10,100,2025-01-01,2031-03-03,Active\n"
        "s-11,001A,pro,10,100,2025-01-01,,\n",  # optional values may be absent
    )
    renewals = f"crm/dt={DAY}/renewals.csv"
    landing.write(
        renewals,
        "Id,AccountId,CloseDate,Type,StageName,Amount\n"
        "r-1,001A,2026-06-01,Renewal,Negotiation/Review,100\n"  # StageName is free text
        "r-2,001A,2026-06-01,Upsell,Closed Won,100\n"
        "r-3,001A,2026-06-01,Renewal,Closed Won,-100\n"
        "r-4,001A,2026-06-01,Downgrade,Closed Won,-100\n"  # the ARR given up
        "r-5,001A,2026-06-01, DOWNGRADE,Closed Won,-100\n",
    )
    accounts = f"crm/dt={DAY}/accounts.csv"
    landing.write(
        accounts,
        ACCOUNTS_HEADER + "001A,Acme,,-3,,,,2025-01-01\n"
        "001B,Beta,,3,,,,2027-03-03\n"
        "001C,Gamma,,3,,,,2027-03-02\n",
    )

    run()

    assert raw.query("SELECT id FROM raw.crm_subscriptions ORDER BY 1") == [
        ("s-1",),
        ("s-11",),
        ("s-5",),
    ]
    assert raw.quarantine(subs) == [
        (2, "negative_value:Seats__c"),
        (3, "negative_value:ARR__c"),
        (4, "unknown_value:Status"),
        (6, "date_out_of_range:StartDate"),
        (7, "date_out_of_range:StartDate"),
        (8, "date_out_of_range:StartDate"),
        (9, "date_out_of_range:StartDate"),
        (10, "date_out_of_range:EndDate"),
    ]
    assert raw.query("SELECT id FROM raw.crm_renewals ORDER BY 1") == [("r-1",), ("r-4",), ("r-5",)]
    assert raw.quarantine(renewals) == [(2, "unknown_value:Type"), (3, "negative_value:Amount")]
    assert raw.query("SELECT id FROM raw.crm_accounts") == [("001C",)]
    assert raw.quarantine(accounts) == [
        (1, "negative_value:NumberOfEmployees"),
        (2, "date_out_of_range:CreatedDate"),
    ]


def test_json_values_of_the_wrong_type_and_out_of_range_timestamps(landing, run, raw):
    events = f"product_events/dt={DAY}/events.jsonl"
    landing.jsonl(
        events,
        [
            track("m-1"),  # 1
            track({"$oid": "x"}),  # 2
            track("m-3", userId=["u-1"]),  # 3
            track("m-4", context={"groupId": True}),  # 4
            {"type": "group", "messageId": "m-5", "timestamp": "2026-03-01T00:00:00Z",
             "userId": "u-1", "groupId": {"id": "001A"}},  # 5
            track("m-6", userId=77, event="{not an object"),  # 6: numbers and text load
            track("m-7", timestamp="infinity"),  # 7
            track("m-8", timestamp="epoch"),  # 8
            track("m-9", timestamp="1969-07-20T20:17:00Z"),  # 9
            track("m-10", timestamp="2027-03-03T00:00:00Z"),  # 10: > a year after dt
            track("m-11", timestamp="2027-03-01T23:00:00Z"),  # 11: within a year
            track("m-12", event=False),  # 12
        ],
    )  # fmt: skip
    tickets = f"support/dt={DAY}/tickets.jsonl"
    landing.jsonl(
        tickets,
        [
            {"id": 1, "organization_id": 9001, "updated_at": "2026-03-01T00:00:00Z"},
            {"id": {"n": 2}, "organization_id": 9001},
            {"id": 3, "organization_id": [9001]},
        ],
    )
    notes = f"cs/dt={DAY}/notes.jsonl"
    landing.jsonl(notes, [{"id": True, "account_id": "001A"}, {"id": 5, "account_id": {}}])

    run()

    assert raw.query(
        "SELECT message_id, user_id, event_name FROM raw.product_events ORDER BY _line_number"
    ) == [
        ("m-1", "u-1", "Report Exported"),
        ("m-6", "77", "{not an object"),
        ("m-11", "u-1", "Report Exported"),
    ]
    assert raw.quarantine(events) == [
        (2, "wrong_json_type:messageId"),
        (3, "wrong_json_type:userId"),
        (4, "wrong_json_type:context.groupId"),
        (5, "wrong_json_type:groupId"),
        (7, "date_out_of_range:timestamp"),
        (8, "date_out_of_range:timestamp"),
        (9, "date_out_of_range:timestamp"),
        (10, "date_out_of_range:timestamp"),
        (12, "wrong_json_type:event"),
    ]
    assert raw.query("SELECT id, organization_id, updated_at FROM raw.support_tickets") == [
        ("1", "9001", datetime(2026, 3, 1))
    ]
    assert raw.quarantine(tickets) == [
        (2, "wrong_json_type:id"),
        (3, "wrong_json_type:organization_id"),
    ]
    assert raw.quarantine(notes) == [(1, "wrong_json_type:id"), (2, "wrong_json_type:account_id")]


# --- the load ledger ------------------------------------------------------------------------


def test_a_redelivered_file_replaces_exactly_its_own_rows(landing, run, raw):
    first = f"crm/dt={DAY}/accounts.csv"
    other = "crm/dt=2026-03-03/accounts.csv"
    events = f"product_events/dt={DAY}/events.jsonl"
    landing.write(first, ACCOUNTS_HEADER + ACCOUNT + "001B,Beta,,many,,,,\n")
    landing.write(other, ACCOUNTS_HEADER + ACCOUNT + "001C,Gamma,,x,,,,\n")
    landing.jsonl(events, [track("m-1"), "broken"])
    summary = run()
    assert summary.totals()["files_replaced"] == 0
    before = raw.snapshot()
    untouched = [
        raw.query(f"SELECT * FROM raw.{table} WHERE {column} <> ? ORDER BY ALL", [first])
        for table, column in (
            ("crm_accounts", "_source_file"),
            ("quarantine", "file_path"),
            ("load_audit", "file_path"),
        )
    ]

    landing.write(first, ACCOUNTS_HEADER + "001D,Delta,,1,,,,\n001E,Eps,,-1,,,,\n")
    summary = run()

    accounts = summary.entity("crm", "accounts")
    assert (accounts.files_loaded, accounts.files_replaced) == (1, 1)
    assert accounts.files_skipped_unchanged == 1
    assert summary.totals()["files_replaced"] == 1
    assert raw.query("SELECT id FROM raw.crm_accounts WHERE _source_file = ?", [first]) == [
        ("001D",)
    ]
    assert raw.quarantine(first) == [(2, "negative_value:NumberOfEmployees")]
    assert raw.audit(first) == (2, 1, 1, 0)
    assert len(raw.query("SELECT * FROM raw.load_audit WHERE file_path = ?", [first])) == 1
    assert [
        raw.query(f"SELECT * FROM raw.{table} WHERE {column} <> ? ORDER BY ALL", [first])
        for table, column in (
            ("crm_accounts", "_source_file"),
            ("quarantine", "file_path"),
            ("load_audit", "file_path"),
        )
    ] == untouched
    assert raw.snapshot()["product_events"] == before["product_events"]


def test_a_loaded_file_that_becomes_refused_loses_its_rows(landing, run, raw, tmp_path):
    path = f"crm/dt={DAY}/accounts.csv"
    landing.write(path, ACCOUNTS_HEADER + ACCOUNT)
    run()
    (landing.root / path).unlink()
    (landing.root / path).symlink_to(outside_files(tmp_path) / "accounts.csv")
    summary = run()
    assert summary.entity("crm", "accounts").files_replaced == 1
    assert raw.query("SELECT count(*) FROM raw.crm_accounts") == [(0,)]
    assert raw.quarantine(path) == [(None, "symlink_outside_landing_zone")]
    assert raw.audit(path) == (1, 0, 1, 0)


def test_gzipped_garbage_and_wrong_gzip_names_do_not_stop_the_run(landing, run, raw):
    landing.write(f"product_events/dt={DAY}/a.jsonl.gz", b"not gzip at all")
    landing.write(f"product_events/dt={DAY}/b.jsonl.gz", gzip.compress(b"")[:-4])
    landing.jsonl(f"product_events/dt={DAY}/c.jsonl", [track("m-1")])
    summary = run()
    assert raw.query("SELECT message_id FROM raw.product_events") == [("m-1",)]
    assert [r for _, _, r in reasons(raw)] == ["unreadable_file", "unreadable_file"]
    events = summary.entity("product_events", "events")
    assert (events.rows_in, events.rows_loaded, events.rows_quarantined) == (3, 1, 2)

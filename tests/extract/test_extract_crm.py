"""Salesforce-style CSV snapshots -> raw.crm_*."""

from __future__ import annotations

from datetime import date

ACCOUNTS = "crm/dt=2026-03-01/accounts.csv"
SUBSCRIPTIONS = "crm/dt=2026-03-01/subscriptions.csv"
RENEWALS = "crm/dt=2026-03-01/renewals.csv"


def test_accounts_columns_types_and_bad_rows(landing, load, raw):
    # Columns in another order plus an unknown one: both fine.
    header = ["Name", "Id", "Industry", "NumberOfEmployees", "BillingCountry", "OwnerId",
              "Primary_Use_Case__c", "CreatedDate", "Rating__c"]  # fmt: skip
    landing.csv(
        ACCOUNTS,
        header,
        [
            ["Acme, Inc.\nEMEA", "001A", "Software", "250", "DE", "csm-1", "reporting",
             "2025-01-15T10:00:00.000+0000", "Hot"],
            ["Beta", "001B", "", "", "", "csm-2", "", "2025-02-01", ""],
            ["Gamma", "", "Retail", "10", "US", "csm-1", "sync", "2025-02-01", ""],
            ["Delta", "001D", "Retail", "many", "US", "csm-1", "sync", "2025-02-01", ""],
            ["Eps", "001E", "Retail", "12.5", "US", "csm-1", "sync", "2025-02-01", ""],
            ["Zeta", "001Z", "Retail", "10", "US", "csm-1", "sync", "15/01/2025", ""],
            ["Eta", "001H", "Retail", "10", "US", "csm-1", "sync", "2025-02-01", "", "x"],
            ["Theta", "001T", "Retail"],
            ["Iota", "001I", "Retail", "1e3", "US", "csm-3", "sync", "2025-02-01", "", "", ""],
        ],
    )  # fmt: skip

    load()

    rows = raw.query(
        "SELECT snapshot_date, id, name, industry, number_of_employees, billing_country, "
        "owner_id, primary_use_case, created_date, _line_number "
        "FROM raw.crm_accounts ORDER BY _line_number"
    )
    assert rows == [
        (date(2026, 3, 1), "001A", "Acme, Inc.\nEMEA", "Software", 250, "DE", "csm-1",
         "reporting", date(2025, 1, 15), 1),
        # Empty optional values are NULL.
        (date(2026, 3, 1), "001B", "Beta", None, None, None, "csm-2", None,
         date(2025, 2, 1), 2),
        # A trailing delimiter (empty values past the header) is harmless.
        (date(2026, 3, 1), "001I", "Iota", "Retail", 1000, "US", "csm-3", "sync",
         date(2025, 2, 1), 9),
    ]  # fmt: skip
    assert raw.quarantine(ACCOUNTS) == [
        (3, "missing_field:Id"),
        (4, "invalid_integer:NumberOfEmployees"),
        (5, "invalid_integer:NumberOfEmployees"),
        (6, "invalid_date:CreatedDate"),
        (7, "column_count_mismatch"),
        (8, "column_count_mismatch"),
    ]
    assert raw.audit(ACCOUNTS) == (9, 3, 6, 0)
    (record,) = raw.query("SELECT record FROM raw.quarantine WHERE line_number = 4")[0]
    assert '"NumberOfEmployees":"many"' in record


def test_subscriptions_missing_a_contract_column_quarantines_every_row(landing, load, raw):
    landing.csv(
        SUBSCRIPTIONS,
        ["Id", "AccountId", "Plan__c", "Seats__c", "StartDate", "EndDate", "Status"],
        [["s-1", "001A", "pro", "10", "2025-01-01", "2026-01-01", "Active"]] * 2,
    )
    summary = load()
    assert raw.quarantine(SUBSCRIPTIONS) == [
        (1, "missing_column:ARR__c"),
        (2, "missing_column:ARR__c"),
    ]
    assert raw.query("SELECT count(*) FROM raw.crm_subscriptions") == [(0,)]
    subs = summary.entity("crm", "subscriptions")
    assert (subs.rows_in, subs.rows_loaded, subs.rows_quarantined) == (2, 0, 2)


def test_subscriptions_and_renewals(landing, load, raw):
    landing.csv(
        SUBSCRIPTIONS,
        ["Id", "AccountId", "Plan__c", "Seats__c", "ARR__c", "StartDate", "EndDate", "Status"],
        [
            ["s-1", "001A", "pro", "10", "12000.50", "2025-01-01", "2026-01-01T00:00:00Z",
             "Active"],
            ["s-2", "", "pro", "10", "1", "2025-01-01", "", "Active"],
            ["s-3", "001B", "starter", " 5 ", "nan", "2025-01-01", "", "Active"],
        ],
    )  # fmt: skip
    landing.csv(
        RENEWALS,
        ["Id", "AccountId", "CloseDate", "Type", "StageName", "Amount"],
        [
            ["r-1", "001A", "2026-01-01", "Renewal", "Closed Lost", "12000"],
            ["r-2", "001A", "2026-01-01", "Expansion", "Negotiation", "1,200"],
            ["r-3", "001A", "", "Renewal", "Prospecting", ""],
        ],
    )
    load()
    assert raw.query(
        "SELECT snapshot_date, id, account_id, plan, seats, arr, start_date, end_date, status "
        "FROM raw.crm_subscriptions"
    ) == [
        (date(2026, 3, 1), "s-1", "001A", "pro", 10, 12000.5, date(2025, 1, 1),
         date(2026, 1, 1), "Active"),
    ]  # fmt: skip
    assert raw.quarantine(SUBSCRIPTIONS) == [
        (2, "missing_field:AccountId"),
        (3, "invalid_number:ARR__c"),
    ]
    assert raw.query(
        "SELECT snapshot_date, id, account_id, close_date, type, stage_name, amount "
        "FROM raw.crm_renewals ORDER BY id"
    ) == [
        (date(2026, 3, 1), "r-1", "001A", date(2026, 1, 1), "Renewal", "Closed Lost", 12000.0),
        (date(2026, 3, 1), "r-3", "001A", None, "Renewal", "Prospecting", None),
    ]
    assert raw.quarantine(RENEWALS) == [(2, "invalid_number:Amount")]


def test_snapshots_of_several_days_are_all_kept(landing, load, raw):
    for day, seats in (("2026-03-01", "10"), ("2026-03-08", "12")):
        landing.csv(
            f"crm/dt={day}/subscriptions.csv",
            ["Id", "AccountId", "Plan__c", "Seats__c", "ARR__c", "StartDate", "EndDate",
             "Status"],
            [["s-1", "001A", "pro", seats, "100", "2025-01-01", "2026-01-01", "Active"]],
        )  # fmt: skip
    load()
    assert raw.query("SELECT snapshot_date, seats FROM raw.crm_subscriptions ORDER BY 1") == [
        (date(2026, 3, 1), 10),
        (date(2026, 3, 8), 12),
    ]


def test_gzipped_csv_with_a_byte_order_mark_and_crlf(landing, load, raw):
    text = (
        "\ufeffId,AccountId,CloseDate,Type,StageName,Amount\r\n"
        "r-1,001A,2026-01-01,Renewal,Closed Won,5\r\n"
    )
    landing.write("crm/dt=2026-03-01/renewals.csv.gz", text.encode(), gz=True)
    load()
    assert raw.query("SELECT id, amount, _source_file FROM raw.crm_renewals") == [
        ("r-1", 5.0, "crm/dt=2026-03-01/renewals.csv.gz")
    ]


def test_csv_rows_with_bytes_that_are_not_utf8(landing, load, raw):
    landing.write(
        RENEWALS,
        b"Id,AccountId,CloseDate,Type,StageName,Amount\n"
        b"r-1,001A,2026-01-01,Renewal,Closed Won,5\n"
        b"r-2,Caf\xe9,2026-01-01,Renewal,Closed Won,5\n"
        b"r-3,Caf\xe9,2026-01-01,Renewal,Closed Won,5,extra\n",
    )
    load()
    assert raw.query("SELECT id FROM raw.crm_renewals") == [("r-1",)]
    assert raw.quarantine(RENEWALS) == [(2, "invalid_utf8"), (3, "column_count_mismatch")]
    records = raw.query("SELECT record FROM raw.quarantine ORDER BY line_number")
    assert all("Caf\ufffd" in record for (record,) in records)


def test_a_csv_that_is_not_utf8_is_read_in_the_fallback_encoding(settings, landing, raw):
    """An accounts export from Excel on Windows (cp1252: `Société` as the byte 0xE9) lost
    every account with an accented name to `invalid_utf8`; with the fallback set it loads,
    while a UTF-8 file beside it is still read as UTF-8 (cp1252 would garble its `é`)."""
    from dataclasses import replace

    from uptake.extract.extract import extract_all

    header = "Id,Name,Industry,NumberOfEmployees,BillingCountry,OwnerId,Primary_Use_Case__c,CreatedDate\n"  # noqa: E501
    landing.write(ACCOUNTS, (header + "001A,Société Générale,,,,,,\n").encode("cp1252"))
    utf8 = "crm/dt=2026-03-02/accounts.csv"
    landing.write(utf8, (header + "001B,Café Núñez,,,,,,\n").encode())

    extract_all(replace(settings, csv_fallback_encoding="cp1252"))

    assert raw.query("SELECT id, name FROM raw.crm_accounts ORDER BY id") == [
        ("001A", "Société Générale"),
        ("001B", "Café Núñez"),
    ]
    assert raw.quarantine(ACCOUNTS) == []


def test_an_unknown_fallback_encoding_stops_when_the_settings_load(tmp_path):
    import pytest

    from uptake.settings import get_settings

    env = {"UPTAKE_HOME": str(tmp_path), "UPTAKE_CSV_FALLBACK_ENCODING": "windows-1252"}
    assert get_settings(env).csv_fallback_encoding == "windows-1252"
    with pytest.raises(ValueError, match="UPTAKE_CSV_FALLBACK_ENCODING: unknown encoding 'cp-9'"):
        get_settings({**env, "UPTAKE_CSV_FALLBACK_ENCODING": "cp-9"})

"""Which files a landing zone offers, and which are never read."""

from __future__ import annotations

from datetime import date

import pytest

from uptake.extract import LandingZoneError, extract_all, latest_delivery_date

ACCOUNTS_HEADER = (
    "Id,Name,Industry,NumberOfEmployees,BillingCountry,OwnerId,Primary_Use_Case__c,CreatedDate\n"
)


def test_missing_landing_zone_is_a_clear_error(settings):
    with pytest.raises(LandingZoneError, match="does not exist"):
        extract_all(settings)


def test_landing_zone_without_the_feature_catalog_is_a_clear_error(settings):
    (settings.landing_dir / "crm").mkdir(parents=True)
    with pytest.raises(LandingZoneError, match=r"catalog/features\.csv"):
        extract_all(settings)
    assert not settings.warehouse_path.exists()


def test_hidden_root_folders_are_not_read_and_unknown_paths_are_quarantined(landing, load, raw):
    row = "001A,Acme,Software,10,DE,csm-1,reporting,2025-01-01\n"
    landing.write("_truth/crm/dt=2026-03-01/accounts.csv", ACCOUNTS_HEADER + row)
    landing.write(".staging/crm/dt=2026-03-01/accounts.csv", ACCOUNTS_HEADER + row)
    landing.write("marketing/dt=2026-03-01/campaigns.csv", "a,b\n1,2\n")
    landing.write("crm/dt=2026-03-01/_SUCCESS", "")
    landing.write("crm/dt=2026-03-01/.accounts.csv.crc", "x")
    landing.write("crm/dt=2026-03-01/opportunities.csv", "Id\n1\n")
    landing.write("crm/readme.txt", "hello")
    landing.write("crm/dt=2026-03-02/accounts.csv", ACCOUNTS_HEADER + row)

    summary = load()

    assert raw.query("SELECT DISTINCT _source_file FROM raw.crm_accounts") == [
        ("crm/dt=2026-03-02/accounts.csv",)
    ]
    assert raw.query(
        "SELECT source, entity, file_path, line_number, reason FROM raw.quarantine ORDER BY 3"
    ) == [
        ("crm", "unknown", "crm/dt=2026-03-01/.accounts.csv.crc", None, "unrecognized_file_name"),
        ("crm", "unknown", "crm/dt=2026-03-01/_SUCCESS", None, "unrecognized_file_name"),
        ("crm", "unknown", "crm/dt=2026-03-01/opportunities.csv", None, "unrecognized_file_name"),
        ("crm", "unknown", "crm/readme.txt", None, "unrecognized_file_name"),
        ("unknown", "unknown", "marketing/", None, "unknown_source"),
    ]
    # Nothing below _truth/ or .staging/ is even listed.
    assert not raw.query("SELECT * FROM raw.load_audit WHERE file_path LIKE '%staging%'")
    assert not raw.query("SELECT * FROM raw.load_audit WHERE file_path LIKE '%truth%'")
    assert sorted(summary.ignored_paths) == [
        "crm/dt=2026-03-01/.accounts.csv.crc",
        "crm/dt=2026-03-01/_SUCCESS",
        "crm/dt=2026-03-01/opportunities.csv",
        "crm/readme.txt",
        "marketing/",
    ]
    unknown = summary.entity("crm", "unknown")
    assert (unknown.files_refused, unknown.rows_in, unknown.rows_quarantined) == (4, 4, 4)
    assert (
        summary.totals()["rows_quarantined"]
        == raw.query("SELECT count(*) FROM raw.quarantine")[0][0]
    )


def test_a_malformed_delivery_folder_is_quarantined_not_dropped(landing, load, raw):
    bad = "crm/dt=2026-13-45/accounts.csv"
    landing.write(bad, ACCOUNTS_HEADER + "001A,Acme,,,,,,\n")
    load()
    assert raw.quarantine(bad) == [(None, "invalid_delivery_date")]
    assert raw.audit(bad) == (1, 0, 1, 0)
    assert raw.query("SELECT count(*) FROM raw.crm_accounts") == [(0,)]


def test_latest_delivery_date(landing):
    assert latest_delivery_date(landing.root) is None
    landing.write("product_events/dt=2026-03-01/events.jsonl", "{}\n")
    landing.write("crm/dt=2026-03-04/accounts.csv", ACCOUNTS_HEADER)
    landing.write("_truth/dt=2030-01-01/truth.csv", "x\n")
    landing.write("marketing/dt=2029-01-01/campaigns.csv", "x\n")
    (landing.root / "support" / "dt=2026-05-01").mkdir(parents=True)  # empty: no delivery
    assert latest_delivery_date(landing.root) == date(2026, 3, 4)
    assert latest_delivery_date(landing.root / "missing") is None

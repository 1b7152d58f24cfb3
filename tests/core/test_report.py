import json
from pathlib import Path

import duckdb

from uptake.extract.schema import ensure_raw_schema
from uptake.orchestration.run_log import read_step, record_step
from uptake.run_report import build_report, format_table, freshness_section, load_section
from uptake.settings import Settings


def test_format_table_aligns_columns() -> None:
    text = format_table(["a", "long_header"], [("x", 1.23456), ("yyyy", None)])
    lines = text.splitlines()
    assert lines[0].startswith("a     long_header")
    assert lines[2].startswith("x     1.235")
    assert len({len(line.rstrip()) <= len(lines[1]) for line in lines}) == 1


def test_step_summaries_round_trip(settings: Settings) -> None:
    record_step(settings, "quality", {"success": True, "tables": []})
    assert read_step(settings, "quality") == {"success": True, "tables": []}
    assert read_step(settings, "train") is None


def test_load_section_reads_the_load_audit(settings: Settings) -> None:
    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    ensure_raw_schema(con)
    con.execute(
        """insert into raw.load_audit values
           ('l1', 'crm', 'accounts', 'crm/dt=2026-03-01/accounts.csv', '2026-03-01', 'abc',
            10, 9, 1, 0, now()),
           ('l1', 'unknown', 'unknown', 'crm/dt=2026-03-01/Accounts.csv', '2026-03-01',
            'refused:unrecognized_file_name', 1, 0, 1, 0, now())"""
    )
    con.execute(
        """insert into raw.quarantine values
           ('crm', 'accounts', 'crm/dt=2026-03-01/accounts.csv', 4,
            'invalid_integer:Seats__c', '{}', now()),
           ('unknown', 'unknown', 'crm/dt=2026-03-01/Accounts.csv', null,
            'unrecognized_file_name', null, now())"""
    )
    con.close()
    record_step(
        settings,
        "extract",
        {
            "future_deliveries": [
                "crm/dt=2099-12-31",
                "support/dt=2099-03-02",
                "support/dt=2099-01-05",
                "support/dt=2099-02-01",
            ],
            "files": [{"source": "crm", "entity": "accounts", "files_replaced": 2}],
            "pulls": [],
        },
    )
    text = load_section(settings)
    assert "accounts" in text and "invalid_integer:Seats__c" in text
    assert "WARNING: deliveries dated after today were not loaded" in text
    # one line per source, however many deliveries lie ahead
    assert "crm/dt=2099-12-31, support (3 deliveries, dt=2099-01-05 to dt=2099-03-02)" in text
    assert "files quarantined whole (1)" in text
    assert "crm/dt=2026-03-01/Accounts.csv  unrecognized_file_name" in text
    assert "replaced exactly their earlier rows" in text
    # Sections whose tables do not exist say so instead of failing the whole report.
    report = build_report(settings)
    assert "unavailable" in report.text
    assert report.unavailable == (
        "Source freshness",
        "dbt build",
        "Quality gate (Great Expectations)",
        "Models trained (MLflow)",
        "Adoption gaps",
    )
    assert not report.complete


def test_freshness_section_lists_each_checked_source(settings: Settings) -> None:
    record_step(
        settings,
        "freshness",
        {
            "as_of_date": "2019-11-30",
            "success": True,
            "sources": [
                {"source": "raw.crm_accounts", "status": "pass", "newest_delivery": "2019-11-30",
                 "age_days": 0.0, "warn_after": "8 day", "error_after": "31 day"},
                {"source": "raw.support_tickets", "status": "warn", "newest_delivery": None,
                 "age_days": None, "warn_after": "14 day", "error_after": None},
            ],
        },
    )  # fmt: skip
    text = freshness_section(settings)
    assert text.startswith("as of 2019-11-30")
    lines = text.splitlines()
    assert lines[1].split() == ["source", "newest", "delivery", "age", "(days)", "warn", "after",
                                "error", "after", "status"]  # fmt: skip
    assert lines[3].split() == ["raw.crm_accounts", "2019-11-30", "0", "8", "day", "31", "day",
                                "pass"]  # fmt: skip
    assert lines[4].split() == ["raw.support_tickets", "none", "14", "day", "WARN"]
    assert "FAILED" not in text
    assert "Source freshness" not in build_report(settings).unavailable
    step = read_step(settings, "freshness")
    record_step(settings, "freshness", {**step, "success": False})
    assert "FAILED: a source is past its error_after" in freshness_section(settings)


def test_dbt_warnings_and_gate_notes_are_shown(settings: Settings) -> None:
    """A warn-level dbt test (usage of accounts the CRM lacks) was a count in the node table
    only; the report names it with dbt's message, and the gate's notes under the gate."""
    from uptake.run_report import dbt_section, quality_section

    target = settings.dbt_target_dir
    target.mkdir(parents=True, exist_ok=True)
    results = [
        {"unique_id": "model.uptake.dim_accounts", "status": "success", "message": "OK"},
        {
            "unique_id": "test.uptake.relationships_fct_feature_usage_daily_account_id",
            "status": "warn",
            "message": "Got 3164 results, configured to warn if != 0",
        },
    ]
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    text = dbt_section(settings)
    assert "warnings" in text and "failures" not in text
    assert "relationships_fct_feature_usage_daily_account_id  Got 3164 results" in text

    note = "usage of 8 of 80 accounts (3164 feature-usage rows) belongs to no account"
    record_step(settings, "quality", {"success": True, "tables": [], "notes": [note]})
    assert quality_section(settings).endswith(f"note: {note}")

from pathlib import Path

import duckdb

from uptake.extract.schema import ensure_raw_schema
from uptake.report import build_report, format_table, load_section
from uptake.run_log import read_step, record_step
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
            "future_deliveries": ["crm/dt=2099-12-31"],
            "files": [{"source": "crm", "entity": "accounts", "files_replaced": 2}],
            "pulls": [],
        },
    )
    text = load_section(settings)
    assert "accounts" in text and "invalid_integer:Seats__c" in text
    assert "WARNING: deliveries dated after today were not loaded" in text
    assert "crm/dt=2099-12-31" in text
    assert "files quarantined whole (1)" in text
    assert "crm/dt=2026-03-01/Accounts.csv  unrecognized_file_name" in text
    assert "replaced exactly their earlier rows" in text
    # Sections whose tables do not exist say so instead of failing the whole report.
    report = build_report(settings)
    assert "unavailable" in report.text
    assert report.unavailable == (
        "dbt build",
        "Quality gate (Great Expectations)",
        "Models trained (MLflow)",
        "Adoption gaps",
    )
    assert not report.complete

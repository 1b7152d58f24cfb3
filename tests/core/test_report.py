from pathlib import Path

import duckdb

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
    con.execute("create schema raw")
    con.execute(
        """create table raw.load_audit as select 'crm' as source, 'accounts' as entity,
           10 as rows_in, 9 as rows_loaded, 1 as rows_quarantined, 0 as rows_duplicate"""
    )
    con.execute(
        "create table raw.quarantine as "
        "select 'crm' as source, 'invalid_integer:Seats__c' as reason"
    )
    con.close()
    text = load_section(settings)
    assert "accounts" in text and "invalid_integer:Seats__c" in text
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

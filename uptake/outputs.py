"""Where a run left everything, for the end of `uptake run` and `uptake where`."""

from __future__ import annotations

from pathlib import Path

from uptake.extract.pull.crm_postgres import redacted
from uptake.settings import Settings


def output_locations(settings: Settings) -> list[tuple[str, str]]:
    """(what, where) for every output a person may want to open after a run."""
    tracking = settings.mlflow_tracking_uri
    if settings.warehouse_on_postgres:
        warehouse: list[tuple[str, str | Path]] = [
            ("warehouse (PostgreSQL; BI tools connect here)", redacted(settings.pg_dsn)),
            ("extract working file (DuckDB)", settings.warehouse_path),
        ]
    else:
        warehouse = [
            ("warehouse (DuckDB)", settings.warehouse_path),
            ("BI copy (read-only, for BI tools)", settings.bi_warehouse_path),
        ]
    places: list[tuple[str, str | Path]] = [
        *warehouse,
        ("run report", settings.reports_dir / "report.txt"),
        ("HTML report (open in a browser)", settings.reports_dir / "index.html"),
        ("CSM digests", settings.reports_dir / "digest"),
        ("CRM export (Salesforce upsert CSV)", settings.exports_dir / "crm_account_health.csv"),
        ("Data Docs (Great Expectations)", settings.gx_dir),
        ("dbt artifacts (run_results, manifest)", settings.dbt_target_dir),
        ("Airflow logs", settings.logs_dir / "airflow"),
        ("MLflow UI", f"mlflow ui --backend-store-uri {tracking} --host 127.0.0.1"),
    ]
    return [(what, str(where)) for what, where in places]


def format_locations(settings: Settings) -> str:
    rows = output_locations(settings)
    width = max(len(what) for what, _ in rows)
    return "\n".join(f"{what.ljust(width)}  {where}" for what, where in rows)

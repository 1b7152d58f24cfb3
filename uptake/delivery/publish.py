"""``publish_reports``: after scoring, write the HTML report, the digests and the CRM export,
record the scores' history and deliver new critical alerts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from uptake.delivery import crm_export, site, webhook
from uptake.delivery.calibration import load_calibration
from uptake.delivery.digest import write_digests
from uptake.delivery.marts import DeskData, load_deliveries, load_desk
from uptake.delivery.safe_files import prune
from uptake.delivery.views import build_views
from uptake.extract.pull.crm_postgres import is_postgres_url, redacted, split_schema
from uptake.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DeliverySummary:
    as_of_date: date | None
    report: Path
    report_pages: int = 0
    report_plots: int = 0
    unavailable: list[str] = field(default_factory=list)  # mart tables missing
    digests: list[Path] = field(default_factory=list)
    crm_export: Path | None = None
    crm_rows: int = 0
    crm_upserted: int | None = None  # None: no PostgreSQL CRM (or no table) configured
    webhook: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # deliveries that failed (non-fatal)

    @property
    def ok(self) -> bool:
        return not self.errors

    def locations(self) -> dict[str, Path]:
        """Where a person finds what was written (for the end of `uptake run`)."""
        found = {"report": self.report}
        if self.digests:
            found["digests"] = self.digests[0].parent
        if self.crm_export is not None:
            found["CRM export"] = self.crm_export
        return found

    def as_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["ok"] = self.ok
        return payload


def _timed(summary: DeliverySummary, step: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return work()
    finally:
        summary.seconds[step] = round(time.perf_counter() - started, 2)


def _model(data: DeskData) -> tuple[str, str]:
    if data.scores.empty or "model_name" not in data.scores.columns:
        return "", ""
    first = data.scores.iloc[0]
    return str(first["model_name"]), str(first["model_version"])


def publish_reports(
    settings: Settings, as_of: date | None = None, sleep: webhook.Sleep = time.sleep
) -> DeliverySummary:
    """Post new critical alerts to the webhook first
    (they do not wait on, or depend on, the pages), then write ``reports/index.html`` (+ csm/,
    account/), ``reports/digest/``, ``exports/crm_account_health.csv``, and upsert the CRM
    table when the CRM source is PostgreSQL.

    Raises when the marts cannot be read or describe another day than ``as_of``. A failed
    PostgreSQL upsert or webhook delivery does not raise: it is in ``summary.errors`` (and
    retried next run)."""
    reports = settings.reports_dir
    summary = DeliverySummary(as_of_date=None, report=reports / "index.html")
    data = _timed(summary, "read_marts", lambda: load_desk(settings))
    summary.as_of_date = data.as_of
    if as_of is not None and data.as_of is not None and data.as_of != as_of:
        raise ValueError(f"the marts describe {data.as_of}, not {as_of}: run the pipeline first")
    summary.unavailable = list(data.missing)
    views = build_views(data)

    outcome = _timed(summary, "webhook", lambda: webhook.deliver_alerts(settings, views, sleep))
    summary.webhook = outcome.as_dict()
    summary.errors += [f"webhook: {error}" for error in outcome.errors]
    if outcome.configured:  # the pages show each alert's delivery as it stands now
        data.deliveries = load_deliveries(settings)

    calibration = _timed(summary, "calibration", lambda: load_calibration(settings, *_model(data)))
    result = _timed(
        summary,
        "html_report",
        lambda: site.write_site(views, calibration, reports, settings.alert_cap_per_csm),
    )
    summary.report_pages, summary.report_plots = result.pages, result.plots
    summary.digests = _timed(summary, "digests", lambda: write_digests(views, reports / "digest"))
    prune(reports, result.written + summary.digests, ("account", "csm", "digest"))

    rows = crm_export.health_rows(views)
    path = settings.exports_dir / crm_export.FILE_NAME
    summary.crm_export = _timed(summary, "crm_csv", lambda: crm_export.write_csv(rows, path))
    summary.crm_rows = len(rows)
    if is_postgres_url(settings.crm_source) and settings.crm_export_table:
        dsn, schema = split_schema(settings.crm_source, settings.crm_schema)
        try:
            summary.crm_upserted = _timed(
                summary,
                "crm_upsert",
                lambda: crm_export.upsert_postgres(rows, dsn, schema, settings.crm_export_table),
            )
        except Exception as exc:  # reported in the summary; the other deliveries go on
            message = f"CRM upsert into {redacted(dsn)} failed: {type(exc).__name__}: {exc}"
            summary.errors.append(message.replace(dsn, redacted(dsn)))
            log.warning("%s", summary.errors[-1])
    return summary

"""``dbt source freshness`` for the run's as-of date, before every build.

Freshness here is the age of a raw table's newest delivery (its ``dt=`` partition) on the
as-of date, not on the wall clock: the project overrides dbt's ``collect_freshness``
(``dbt_project/macros/source_freshness.sql``), so a landing zone from 2019 run as of a day in
2019 is as fresh as it was that day. Thresholds are in ``models/staging/_raw__sources.yml``.

Policy: ``warn`` is reported (run log, ``uptake report``) and the build goes on; ``error`` (or a
freshness query that fails) raises :class:`SourceFreshnessError` before the build, so stale
inputs never reach the marts, the scores or a CSM, and the previous marts stay as they were.
dbt also writes its own artifact, ``sources.json``, to the dbt target folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from uptake.extract.specs import expected_files
from uptake.settings import Settings
from uptake.transform.dbt_runner import dbt_args, warehouse_guard

__all__ = [
    "FreshnessResult",
    "SourceFreshness",
    "SourceFreshnessError",
    "freshness_args",
    "run_source_freshness",
    "summarize_freshness",
]

SECONDS_PER_DAY = 86400.0
# dbt reads a null max(loaded_at_field) as "infinitely long ago" and reports year 1.
_NEVER = 1


@dataclass(frozen=True)
class SourceFreshness:
    """One raw table: its newest delivery at or before the as-of date and dbt's verdict."""

    source: str  # "raw.product_events"
    status: str  # pass, warn, error or runtime error
    newest_delivery: date | None  # None: no delivery at or before the as-of date
    age_days: float | None
    warn_after: str | None  # "2 day"
    error_after: str | None
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("error", "runtime error")


@dataclass(frozen=True)
class FreshnessResult:
    as_of_date: date | None  # the day ages were measured against
    sources: list[SourceFreshness] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    invocation_error: str | None = None

    @property
    def errors(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.failed]

    @property
    def warnings(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.status == "warn"]

    @property
    def success(self) -> bool:
        return not self.errors and self.invocation_error is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of_date": self.as_of_date.isoformat() if self.as_of_date else None,
            "success": self.success,
            "invocation_error": self.invocation_error,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "status_counts": {
                status: sum(1 for s in self.sources if s.status == status)
                for status in ("pass", "warn", "error", "runtime error")
            },
            "sources": [
                {
                    "source": s.source,
                    "status": s.status,
                    "newest_delivery": s.newest_delivery.isoformat() if s.newest_delivery else None,
                    "age_days": s.age_days,
                    "warn_after": s.warn_after,
                    "error_after": s.error_after,
                    "message": s.message,
                }
                for s in self.sources
            ],
        }


def _cause(source: SourceFreshness, quarantined: dict[str, str]) -> str:
    """Why a raw table has nothing fresh: what the load quarantined, else, when nothing came
    at all, the files it was waiting for."""
    if source.source in quarantined:
        return f"; quarantined at load: {quarantined[source.source]}"
    files = expected_files(source.source) if source.newest_delivery is None else None
    return f"; no {files} was delivered" if files else ""


class SourceFreshnessError(RuntimeError):
    """A raw table is older than its error_after on the as-of date (or could not be checked)."""

    def __init__(self, result: FreshnessResult, quarantined: dict[str, str] | None = None) -> None:
        self.result = result
        quarantined = quarantined or {}
        lines = [
            f"{s.source} [{s.status}]: newest delivery "
            f"{s.newest_delivery.isoformat() if s.newest_delivery else 'none'}"
            + (f", {s.age_days:g} days before the as-of date" if s.age_days is not None else "")
            + (f" (error after {s.error_after})" if s.error_after else "")
            + (f": {s.message}" if s.message else "")
            + _cause(s, quarantined)
            for s in result.errors
        ]
        if result.invocation_error:
            lines.append(f"dbt source freshness: {result.invocation_error}")
        as_of = result.as_of_date.isoformat() if result.as_of_date else "the latest delivery"
        # Indented like the quality gate's lines: `uptake run` shows a message's indented
        # continuation lines under the exception.
        super().__init__(f"stale sources as of {as_of}:\n  " + "\n  ".join(lines))


def freshness_args(settings: Settings, as_of_date: date | None) -> list[str]:
    """The ``dbt source freshness`` command line (writes ``sources.json`` to the target)."""
    return dbt_args(settings, ["source", "freshness"], as_of_date)


def _threshold(criteria: Any, name: str) -> str | None:
    time_ = getattr(criteria, name, None)
    if not time_:
        return None
    period = getattr(time_.period, "value", time_.period)
    return f"{time_.count} {period}"


def _day(value: datetime | None) -> date | None:
    if value is None or value.year == _NEVER:
        return None
    return value.date()


def summarize_freshness(
    node_results: list[Any],
    *,
    as_of_date: date | None,
    elapsed_seconds: float,
    invocation_error: str | None = None,
) -> FreshnessResult:
    """Fold dbt ``SourceFreshnessResult`` objects into a :class:`FreshnessResult`."""
    sources = []
    measured_on = as_of_date
    for node_result in node_results:
        node = node_result.node
        newest = _day(getattr(node_result, "max_loaded_at", None))
        snapshotted = getattr(node_result, "snapshotted_at", None)
        if measured_on is None and snapshotted is not None:
            measured_on = snapshotted.date()
        age = getattr(node_result, "age", None)
        sources.append(
            SourceFreshness(
                source=f"{node.source_name}.{node.name}",
                status=str(getattr(node_result.status, "value", node_result.status)).lower(),
                newest_delivery=newest,
                age_days=round(age / SECONDS_PER_DAY, 2) if age is not None and newest else None,
                warn_after=_threshold(node.freshness, "warn_after"),
                error_after=_threshold(node.freshness, "error_after"),
                message=str(node_result.message or "").strip(),
            )
        )
    sources.sort(key=lambda s: s.source)
    return FreshnessResult(measured_on, sources, elapsed_seconds, invocation_error)


def run_source_freshness(settings: Settings, as_of_date: date | None = None) -> FreshnessResult:
    """Run ``dbt source freshness`` as of ``as_of_date`` (default ``settings.as_of_date``, else
    the latest delivery in raw); raise :class:`SourceFreshnessError` on an error.
    """
    from dbt.cli.main import dbtRunner  # heavy import: only when it runs

    effective_as_of = as_of_date or settings.as_of_date
    settings.apply()
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    settings.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with warehouse_guard(settings):
        outcome = dbtRunner().invoke(freshness_args(settings, effective_as_of))
    node_results = list(getattr(outcome.result, "results", None) or [])
    invocation_error = None
    if outcome.exception is not None:
        invocation_error = str(outcome.exception)
    result = summarize_freshness(
        node_results,
        as_of_date=effective_as_of,
        elapsed_seconds=time.monotonic() - started,
        invocation_error=invocation_error,
    )
    if not result.success:
        from uptake.transform.stale_reasons import quarantine_reasons

        raise SourceFreshnessError(
            result, quarantine_reasons(settings, [s.source for s in result.errors])
        )
    return result

"""What the Airflow DAGs share: assets, default arguments, the as-of date, and task bodies.

The DAG files in ``dags/`` only wire these together. This module is imported at DAG parse
time, so it imports nothing heavy: pandas, dbt, Great Expectations, MLflow and scikit-learn
are imported inside the task functions, which run in the worker.

Every task works on one day, the *as-of date*, taken from the run (see :func:`as_of_date`),
never from the wall clock, so a rerun or backfill of a day gives the same result. The date
travels between DAGs in the ``extra`` of the asset events, because runs triggered by an asset
have no logical date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param
from airflow.timetables.trigger import CronTriggerTimetable

from uptake.warehouse import WRITER_POOL

# Assets connect the DAGs: extract -> transform (+ quality gate) -> train -> score.
RAW = Asset(name="uptake_raw", uri="uptake://warehouse/raw")
MARTS = Asset(name="uptake_marts", uri="uptake://warehouse/marts")
MODELS = Asset(name="uptake_models", uri="uptake://mlflow/registry")
SCORED = Asset(name="uptake_scored", uri="uptake://warehouse/marts/scored")
BI_COPY = Asset(name="uptake_bi_copy", uri="uptake://bi/marts")

AS_OF_KEY = "as_of_date"
OWNER = "uptake-data-platform"
TAGS = ["uptake"]

DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    # One retry for transient trouble (a locked file, a slow disk). Deterministic failures
    # (dbt errors, a failed quality gate) raise AirflowFailException and are not retried.
    # The delay is Airflow's [core] default_task_retry_delay (300 s), so a deployment can
    # tune it and the embedded `dags test` run can shorten it without touching the DAGs.
    "retries": 1,
}

# The trigger form's one field: the day to run. Empty means the run's logical date, or for an
# asset-triggered run the date its upstream published.
AS_OF_PARAM = Param(
    None,
    type=["null", "string"],
    format="date",
    title="As-of date",
    description="Day to load, build and score (YYYY-MM-DD); empty: the run's own date.",
)

# The extract's schedule: every day at midnight UTC, and only then. "@daily" alone lets Airflow
# start a run the moment the DAG is unpaused when that falls within 2.4 hours after midnight
# (CronTriggerTimetable's run_immediately default, and run_immediately=False behaves the same
# in this version), so the same deployment behaved differently by time of day: a stack started
# at 00:47 UTC had an extra extract run. A zero buffer never runs on unpausing.
DAILY_AT_MIDNIGHT_UTC = CronTriggerTimetable(
    "0 0 * * *", timezone="UTC", run_immediately=timedelta(0)
)

# Keyword arguments every Uptake DAG passes to @dag. There is deliberately no start_date: a
# landing zone holds history from any period (an export from 1995 is as valid as today's), and
# a start_date after a run's logical date makes Airflow skip every task of that run silently.
# Without catchup, no start_date is needed.
DAG_KWARGS: dict[str, Any] = {
    "catchup": False,
    "params": {AS_OF_KEY: AS_OF_PARAM},
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
}

__all__ = [
    "AS_OF_KEY",
    "BI_COPY",
    "DAG_KWARGS",
    "MARTS",
    "MODELS",
    "RAW",
    "SCORED",
    "TAGS",
    "WRITER_POOL",
    "as_of_date",
    "build_marts",
    "check_marts",
    "deliver_reports",
    "load_landing_zone",
    "publish_bi_copy",
    "score_accounts",
    "train_models",
]


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_of_date(context: Mapping[str, Any]) -> date | None:
    """The day a task works on, from its run; None lets the callee use the latest delivery.

    In order: ``as_of_date`` in the run's conf or params (the trigger form), the run's logical date
    (scheduled runs and ``airflow dags test DAG DATE``), then the latest ``as_of_date`` carried
    by the asset events that triggered the run.
    """
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    if conf.get(AS_OF_KEY):
        return _parse_date(conf[AS_OF_KEY])
    params = context.get("params") or {}
    if params.get(AS_OF_KEY):
        return _parse_date(params[AS_OF_KEY])
    if context.get("logical_date") is not None:
        return _parse_date(context["logical_date"])
    events = context.get("triggering_asset_events") or {}
    dates = [
        _parse_date(event.extra[AS_OF_KEY])
        for asset_events in events.values()
        for event in asset_events
        if (event.extra or {}).get(AS_OF_KEY)
    ]
    return max(dates) if dates else None


def _publish(context: Mapping[str, Any], asset: Asset, day: date | None) -> None:
    """Attach the as-of date to this task's asset event for the DAGs it triggers."""
    if day is not None:
        context["outlet_events"][asset].extra = {AS_OF_KEY: day.isoformat()}


def _settings() -> Any:
    from uptake.settings import get_settings

    settings = get_settings()
    settings.apply()
    return settings


def _details(result: Any) -> Any:
    """A result object as plain data for the run log."""
    if hasattr(result, "as_dict"):
        return result.as_dict()
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return str(result)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _small(result: Any) -> dict[str, Any]:
    """The counts of a result object, small enough for XCom: scalars and one level of dicts
    of scalars (``{"rows": {"adoption_gaps": 420}}`` becomes ``{"rows.adoption_gaps": 420}``).
    """
    data = _details(result)
    if not isinstance(data, dict):
        return {}
    small: dict[str, Any] = {}
    for key, value in data.items():
        if _is_scalar(value):
            small[key] = value
        elif isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
            small.update({f"{key}.{sub}": v for sub, v in value.items()})
    return small


def load_landing_zone(context: Mapping[str, Any]) -> dict[str, Any]:
    """Extract DAG: load every new or changed landing-zone file into ``raw``."""
    from uptake.extract import extract_all, latest_delivery_date
    from uptake.orchestration.run_log import record_step

    settings = _settings()
    day = as_of_date(context) or latest_delivery_date(settings.landing_dir)
    summary = extract_all(settings, as_of=day)
    totals = dict(summary.totals())
    record_step(
        settings,
        "extract",
        {
            AS_OF_KEY: day,
            "totals": totals,
            "files": summary.as_rows(),
            "pulls": summary.pulls,
            "future_deliveries": summary.future_deliveries,
            "raw_copy": summary.raw_copy,
        },
    )
    _publish(context, RAW, day)
    return {AS_OF_KEY: day.isoformat() if day else None, **totals}


def build_marts(context: Mapping[str, Any]) -> dict[str, Any]:
    """Transform DAG: ``dbt source freshness`` then ``dbt build`` for the as-of date.

    A source past its warn_after is reported and the build goes on; one past its error_after
    fails the task before the build, so stale inputs never reach the marts or a CSM.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from uptake.orchestration.run_log import record_step
    from uptake.transform import (
        DbtBuildError,
        SourceFreshnessError,
        run_dbt_build,
        run_source_freshness,
    )

    settings = _settings()
    day = as_of_date(context)
    try:
        freshness = run_source_freshness(settings, as_of_date=day)
    except SourceFreshnessError as error:
        record_step(settings, "freshness", error.result.as_dict())
        record_step(settings, "transform", {AS_OF_KEY: day, "success": False, "error": str(error)})
        raise AirflowFailException(str(error)) from error
    record_step(settings, "freshness", freshness.as_dict())
    try:
        result = run_dbt_build(settings, as_of_date=day)
    except DbtBuildError as error:
        record_step(settings, "transform", {AS_OF_KEY: day, "success": False, "error": str(error)})
        raise AirflowFailException(str(error)) from error
    record_step(settings, "transform", {AS_OF_KEY: day, "success": True, **_details(result)})
    stale = len(freshness.warnings)
    return {**_small(result), "sources_warn": stale, AS_OF_KEY: day.isoformat() if day else None}


def check_marts(context: Mapping[str, Any]) -> dict[str, Any]:
    """Transform DAG: the Great Expectations gate; the marts asset is published only on a pass."""
    from airflow.sdk.exceptions import AirflowFailException

    from uptake.orchestration.run_log import record_step
    from uptake.quality import QualityGateFailed, run_quality_gate

    settings = _settings()
    day = as_of_date(context)
    try:
        gate = run_quality_gate(settings)
    except QualityGateFailed as failure:
        record_step(settings, "quality", {AS_OF_KEY: day, **failure.result.as_dict()})
        raise AirflowFailException(str(failure)) from failure
    record_step(settings, "quality", {AS_OF_KEY: day, **gate.as_dict()})
    _publish(context, MARTS, day)
    return {AS_OF_KEY: day.isoformat() if day else None, **gate.counts()}


def train_models(context: Mapping[str, Any]) -> dict[str, Any]:
    """Train DAG: train, log to MLflow and promote a champion only if it beats the current one.

    Training also writes ``marts.account_personas``; the dbt models that read it (dim_accounts,
    persona_benchmarks) are then rebuilt for the same day, before scoring starts.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from uptake.ml import train_all
    from uptake.orchestration.run_log import record_step
    from uptake.transform import ML_SOURCE_CONSUMERS, DbtBuildError, run_dbt_build

    settings = _settings()
    day = as_of_date(context)
    reports = train_all(settings, as_of_date=day)
    models = [_details(r) for r in reports]
    try:
        joined = run_dbt_build(settings, as_of_date=day, select=ML_SOURCE_CONSUMERS)
    except DbtBuildError as error:
        record_step(settings, "train", {AS_OF_KEY: day, "models": models, "error": str(error)})
        raise AirflowFailException(str(error)) from error
    record_step(
        settings, "train", {AS_OF_KEY: day, "models": models, "ml_consumers": _small(joined)}
    )
    _publish(context, MODELS, day)
    return {AS_OF_KEY: day.isoformat() if day else None, "models_trained": len(reports)}


def score_accounts(context: Mapping[str, Any]) -> dict[str, Any]:
    """Score DAG: write account_scores, adoption_gaps and adoption_alerts for the as-of date."""
    from uptake.orchestration.run_log import record_step
    from uptake.scoring import score_all

    settings = _settings()
    day = as_of_date(context)
    summary = score_all(settings, as_of_date=day)
    record_step(settings, "score", {**_details(summary), AS_OF_KEY: day})
    _publish(context, SCORED, day)
    return {**_small(summary), AS_OF_KEY: day.isoformat() if day else None}


def publish_bi_copy(context: Mapping[str, Any]) -> dict[str, Any]:
    """Score DAG: replace the read-only BI copy of the marts, atomically, after scoring."""
    from uptake.bi_copy import publish_bi_copy as publish
    from uptake.orchestration.run_log import record_step

    settings = _settings()
    day = as_of_date(context)
    if settings.warehouse_on_postgres:
        # PostgreSQL serves readers and the pipeline at once: BI tools connect to it directly.
        skipped = "the warehouse is PostgreSQL: BI tools read its marts schema directly"
        record_step(settings, "publish", {AS_OF_KEY: day, "skipped": skipped})
        _publish(context, BI_COPY, day)
        return {AS_OF_KEY: day.isoformat() if day else None, "tables": 0}
    copy = publish(settings.warehouse_path, settings.bi_warehouse_path)
    record_step(settings, "publish", {AS_OF_KEY: day, **copy.as_dict()})
    _publish(context, BI_COPY, day)
    return {AS_OF_KEY: day.isoformat() if day else None, "tables": len(copy.tables)}


def deliver_reports(context: Mapping[str, Any]) -> dict[str, Any]:
    """Score DAG: HTML report, CSM digests, CRM export and webhook alerts for the as-of date.

    A webhook or CRM upsert that fails does not fail the task (it is retried next run and shown
    in the report and the run log); unreadable marts do.
    """
    import json
    import logging

    from uptake.delivery import publish_reports
    from uptake.orchestration.run_log import record_step

    settings = _settings()
    day = as_of_date(context)
    summary = publish_reports(settings, as_of=day)
    record_step(settings, "deliver", json.loads(json.dumps(summary.as_dict(), default=str)))
    for error in summary.errors:
        logging.getLogger(__name__).warning("delivery: %s", error)
    return {AS_OF_KEY: day.isoformat() if day else None, "ok": summary.ok}

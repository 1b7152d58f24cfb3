"""The marts quality gate: one Great Expectations checkpoint over the dbt-built tables.

File data context under ``settings.gx_dir``; one pandas (Parquet) asset, one expectation suite
and one ValidationDefinition per table; one checkpoint, ``marts_gate``, that also rebuilds the
Data Docs. Suites come from ``expectations/*.py`` (see :mod:`uptake.quality.suites`) and are
re-synced into the context on every run, so the code is the single source of truth.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from uptake.quality.gate_results import (
    FAIL,
    FailedExpectation,
    GateResult,
    QualityGateFailed,
    TableResult,
)
from uptake.quality.snapshot import snapshot_tables
from uptake.quality.suites import TableSuite, load_suites, severity_of
from uptake.settings import Settings

CHECKPOINT_NAME = "marts_gate"
DATASOURCE_NAME = "warehouse_snapshot"
NOISY_LOGGERS = ("great_expectations", "great_expectations.core", "numexpr", "py.warnings")
log = logging.getLogger(__name__)


def _quiet_gx_logging() -> None:
    # GX logs every store write and metric at INFO; the task log should show our summary only.
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _context(settings: Settings) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    settings.gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(settings.gx_dir))
    progress = context.variables.progress_bars
    # A fresh context holds a ProgressBarsConfig, a reloaded one a plain dict.
    if isinstance(progress, dict):
        globally = progress.get("globally")
    else:
        globally = getattr(progress, "globally", None)
    if globally is not False:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def _datasource(context: Any, batches_dir: Path) -> Any:
    try:
        datasource = context.data_sources.get(DATASOURCE_NAME)
    except (KeyError, ValueError):
        datasource = None
    if datasource is not None and Path(datasource.base_directory) == batches_dir:
        return datasource
    return context.data_sources.add_or_update_pandas_filesystem(
        name=DATASOURCE_NAME, base_directory=batches_dir
    )


def _batch_definition(datasource: Any, name: str) -> Any:
    try:
        asset = datasource.get_asset(name)
    except LookupError:
        asset = datasource.add_parquet_asset(name=name)
    try:
        return asset.get_batch_definition(name)
    except KeyError:
        return asset.add_batch_definition_path(name=name, path=f"{name}.parquet")


def _validation_definition(context: Any, datasource: Any, suite: TableSuite) -> Any:
    import great_expectations as gx

    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite.name, expectations=list(suite.expectations))
    )
    return context.validation_definitions.add_or_update(
        gx.ValidationDefinition(
            name=suite.name, data=_batch_definition(datasource, suite.name), suite=gx_suite
        )
    )


def _failed(table: str, result: Any) -> FailedExpectation:
    config = result.expectation_config
    details = result.result or {}
    kwargs = {key: value for key, value in config.kwargs.items() if key != "batch_id"}
    observed = details.get("observed_value")
    if hasattr(observed, "item"):  # a NumPy scalar: report 0.0, not np.float64(0.0)
        observed = observed.item()
    return FailedExpectation(
        table=table,
        expectation=config.type,
        severity=severity_of(config.meta),
        column=kwargs.get("column"),
        kwargs=kwargs,
        unexpected_count=details.get("unexpected_count"),
        observed_value=observed if isinstance(observed, int | float | str | bool) else None,
        sample=list(details.get("partial_unexpected_list") or [])[:5],
    )


def _missing_table(suite: TableSuite) -> TableResult:
    failure = FailedExpectation(
        table=suite.name, expectation="table_exists", severity=FAIL, kwargs={"table": suite.name}
    )
    return TableResult(table=suite.name, rows=None, evaluated=1, failed=(failure,))


def _why_marts_are_empty(settings: Settings) -> str | None:
    from uptake.quality.usage_hints import why_marts_are_empty
    from uptake.warehouse import open_warehouse

    try:
        with open_warehouse(settings, read_only=True) as con:
            return why_marts_are_empty(con)
    except Exception:  # the reason is a courtesy: the gate's own failure stands without it
        log.warning("quality gate: could not read why the marts are empty", exc_info=True)
        return None


def _notes(settings: Settings) -> tuple[str, ...]:
    from uptake.quality.gate_notes import gate_notes
    from uptake.warehouse import open_warehouse

    try:
        with open_warehouse(settings, read_only=True) as con:
            return gate_notes(con)
    except Exception:  # a courtesy, like the reason above
        log.warning("quality gate: could not read the notes", exc_info=True)
        return ()


def run_quality_gate(settings: Settings) -> GateResult:
    """Validate the marts; raise :class:`QualityGateFailed` if a fail-level expectation fails."""
    _quiet_gx_logging()
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    _quiet_gx_logging()  # GX may reset levels while importing
    suites = load_suites(settings.expectations_dir)
    batches_dir = settings.gx_dir / "batches"
    rows = snapshot_tables(settings, [(s.schema, s.table) for s in suites], batches_dir)

    present = [suite for suite in suites if rows[(suite.schema, suite.table)] is not None]
    results: dict[str, TableResult] = {
        suite.name: _missing_table(suite) for suite in suites if suite not in present
    }
    docs_index: str | None = None
    if present:
        context = _context(settings)
        datasource = _datasource(context, batches_dir)
        definitions = [_validation_definition(context, datasource, suite) for suite in present]
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=CHECKPOINT_NAME,
                validation_definitions=definitions,
                result_format={"result_format": "SUMMARY"},
            )
        )
        outcome = checkpoint.run()
        # Data Docs once for the whole run: GX's UpdateDataDocsAction rebuilds the site's index
        # once per suite (ten times here), which took about 1.5 s of a 4 s gate.
        context.build_data_docs(
            resource_identifiers=[
                *outcome.run_results,
                *(
                    ExpectationSuiteIdentifier(name=r.suite_name)
                    for r in outcome.run_results.values()
                ),
            ],
            build_index=True,
        )
        by_name = {suite.name: suite for suite in present}
        for validation in outcome.run_results.values():
            suite = by_name[validation.suite_name]
            failed = tuple(
                _failed(suite.name, item) for item in validation.results if not item.success
            )
            results[suite.name] = TableResult(
                table=suite.name,
                rows=rows[(suite.schema, suite.table)],
                evaluated=len(validation.results),
                failed=failed,
            )
        sites = context.get_docs_sites_urls()
        docs_index = sites[0]["site_url"] if sites else None

    gate = GateResult(
        checkpoint=CHECKPOINT_NAME,
        tables=tuple(results[name] for name in sorted(results)),
        data_docs_index=docs_index,
        notes=_notes(settings),
    )
    for warning in gate.warnings:
        log.warning("quality warning: %s", warning.describe())
    for note in gate.notes:
        log.warning("quality note: %s", note)
    if not gate.success:
        raise QualityGateFailed(gate, hint=_why_marts_are_empty(settings))
    log.info("quality gate %s passed: %s", CHECKPOINT_NAME, gate.counts())
    return gate

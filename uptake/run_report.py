"""The run report: loads, quarantine, source freshness, dbt, quality gate, models, top gaps.

Everything is read back from durable outputs (the warehouse, dbt's run_results.json and the
step summaries in
``uptake.orchestration.run_log``), so `uptake report` prints the same thing as the run did.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from uptake.orchestration.run_log import read_step
from uptake.scored_tables import NotScoredError, require_tables
from uptake.settings import Settings
from uptake.warehouse import open_warehouse

TOP_GAPS = 10


GAP_TABLES = (("marts", "adoption_gaps"), ("marts", "adoption_alerts"), ("marts", "dim_accounts"))


class SectionUnavailable(RuntimeError):
    """A report section's inputs do not exist (the step did not run or wrote nothing)."""


@dataclass(frozen=True)
class Report:
    text: str
    unavailable: tuple[str, ...]  # titles of the sections that could not be built
    sections: tuple[tuple[str, str], ...] = ()  # (title, body) in order

    def as_dict(self) -> dict[str, object]:
        return {"sections": dict(self.sections), "unavailable": list(self.unavailable)}

    @property
    def complete(self) -> bool:
        return not self.unavailable


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain fixed-width table (no extra dependency; readable in any CI log)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([line, rule, *body])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def _query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with open_warehouse(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


REFUSED_SHOWN = 20


def load_section(settings: Settings) -> str:
    rows = _query(
        settings,
        """
        select source, entity, count(*) as files,
               count(*) filter (where content_hash like 'refused:%') as refused,
               sum(rows_in), sum(rows_loaded), sum(rows_quarantined), sum(rows_duplicate)
        from raw.load_audit group by source, entity order by source, entity
        """,
    )
    headers = ["source", "entity", "files", "refused", "rows_in", "loaded", "quarantined"]
    parts = [format_table([*headers, "duplicates"], rows)]
    parts += _this_run_notes(settings)
    reasons = _query(
        settings,
        """
        select source, reason, count(*) from raw.quarantine
        group by source, reason order by 3 desc, 1, 2 limit 12
        """,
    )
    if reasons:
        parts.append("quarantine reasons\n" + format_table(["source", "reason", "rows"], reasons))
    refused = _query(
        settings,
        """
        select file_path, reason from raw.quarantine
        where line_number is null order by file_path
        """,
    )
    if refused:
        shown = refused[:REFUSED_SHOWN]
        more = len(refused) - len(shown)
        parts.append(
            f"files quarantined whole ({len(refused)})\n"
            + format_table(["file", "reason"], shown)
            + (f"\n... and {more} more (raw.quarantine where line_number is null)" if more else "")
        )
    return "\n\n".join(parts)


def future_deliveries_summary(folders: list[str]) -> str:
    """``crm/dt=2027-01-06`` folders, one line per source: a landing zone running months
    ahead of the clock has hundreds of them, and a list of each would bury the report."""
    by_source: dict[str, list[str]] = {}
    for folder in folders:
        source, _, day = folder.partition("/dt=")
        by_source.setdefault(source, []).append(day)
    parts = []
    for source, days in sorted(by_source.items()):
        days.sort()
        if len(days) == 1:
            parts.append(f"{source}/dt={days[0]}")
        else:
            parts.append(f"{source} ({len(days)} deliveries, dt={days[0]} to dt={days[-1]})")
    return ", ".join(parts)


def _this_run_notes(settings: Settings) -> list[str]:
    """Warnings about this run's extract: future deliveries, re-deliveries, pulled sources."""
    step = read_step(settings, "extract") or {}
    notes = []
    future = step.get("future_deliveries") or []
    if future:
        notes.append(
            "WARNING: deliveries dated after today were not loaded (their files are in the "
            "quarantine as future_delivery_date): " + future_deliveries_summary(future)
        )
    replaced = [
        (f["source"], f["entity"], f["files_replaced"])
        for f in step.get("files", [])
        if f.get("files_replaced")
    ]
    if replaced:
        notes.append(
            "re-delivered files whose content changed replaced exactly their earlier rows\n"
            + format_table(["source", "entity", "files replaced"], replaced)
        )
    pulls = step.get("pulls") or []
    if pulls:
        notes.append(
            "pulled sources\n"
            + format_table(
                ["source", "system", "status", "fetched", "written"],
                [
                    (
                        p.get("source"),
                        p.get("system"),
                        p.get("status"),
                        sum((p.get("rows_fetched") or {}).values()),
                        sum((p.get("rows_written") or {}).values()),
                    )
                    for p in pulls
                ],
            )
        )
    return notes


def freshness_section(settings: Settings) -> str:
    """Each checked raw table: its newest delivery, its age on the as-of date, dbt's verdict."""
    step = read_step(settings, "freshness")
    if step is None:
        raise SectionUnavailable("dbt source freshness did not run")
    rows = [
        (
            s["source"],
            s.get("newest_delivery") or "none",
            "" if s.get("age_days") is None else f"{s['age_days']:g}",
            s.get("warn_after") or "",
            s.get("error_after") or "",
            s["status"].upper() if s["status"] != "pass" else s["status"],
        )
        for s in step.get("sources", [])
    ]
    headers = ["source", "newest delivery", "age (days)", "warn after", "error after", "status"]
    text = f"as of {step.get('as_of_date')} (ages count from the as-of date, not from today)\n"
    text += format_table(headers, rows)
    if step.get("invocation_error"):
        text += f"\n\ndbt source freshness failed: {step['invocation_error']}"
    if not step.get("success", True):
        text += "\n\nFAILED: a source is past its error_after; the build did not run"
    return text


def dbt_section(settings: Settings) -> str:
    path = settings.dbt_target_dir / "run_results.json"
    if not path.exists():
        raise SectionUnavailable(f"no dbt run_results.json at {path}")
    results = json.loads(path.read_text())["results"]
    by_kind: Counter[tuple[str, str]] = Counter()
    failures = []
    warnings = []
    for result in results:
        kind = result["unique_id"].split(".")[0]
        by_kind[(kind, result["status"])] += 1
        message = (result.get("message") or "")[:120]
        if result["status"] in {"error", "fail", "runtime error"}:
            failures.append((result["unique_id"], message))
        elif result["status"] == "warn":
            warnings.append((result["unique_id"], message))
    rows = [(kind, status, count) for (kind, status), count in sorted(by_kind.items())]
    text = format_table(["node type", "status", "count"], rows)
    build = read_step(settings, "transform") or {}
    if build.get("unchanged_since"):
        text = (
            "dbt build skipped: the project, its vars and every table it reads are unchanged "
            f"since the successful build of {build['unchanged_since']}; its marts stand.\n"
            "The last dbt invocation's nodes:\n" + text
        )
    if failures:
        text += "\n\nfailures\n" + format_table(["node", "message"], failures)
    if warnings:
        text += "\n\nwarnings\n" + format_table(["node", "message"], warnings)
    return text


def quality_section(settings: Settings) -> str:
    gate = read_step(settings, "quality")
    if gate is None:
        raise SectionUnavailable("the quality gate did not run")
    rows = [
        (t["table"], t["success"], t["evaluated"], ", ".join(t.get("failed", [])[:3]))
        for t in gate.get("tables", [])
    ]
    status = "PASSED" if gate.get("success") else "FAILED"
    text = f"gate {status}\n" + format_table(["table", "success", "checks", "failed"], rows)
    notes = gate.get("notes") or []
    return text + "".join(f"\n\nnote: {note}" for note in notes)


def models_section(settings: Settings) -> str:
    train = read_step(settings, "train")
    if train is None:
        raise SectionUnavailable("no models were trained in this run")
    rows = []
    for model in train.get("models", []):
        metrics = model.get("metrics", {})
        baseline = model.get("baseline_metrics", {})
        shown = ", ".join(f"{k}={v:.3f}" for k, v in sorted(metrics.items()) if _is_num(v))
        base = ", ".join(f"{k}={v:.3f}" for k, v in sorted(baseline.items()) if _is_num(v))
        rows.append(
            (
                model["model_name"],
                model.get("version"),
                "champion" if model.get("promoted") else "challenger",
                f"{model.get('rows_train')}/{model.get('rows_test')}",
                shown,
                base,
            )
        )
    return format_table(["model", "version", "alias", "train/test", "metrics", "baseline"], rows)


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and value == value  # NaN is not shown


def gaps_section(settings: Settings, limit: int = TOP_GAPS) -> str:
    with open_warehouse(settings, read_only=True) as con:
        try:
            require_tables(con, GAP_TABLES)
        except NotScoredError as error:
            raise SectionUnavailable(str(error)) from None
    counts = _query(
        settings,
        """
        select severity, root_cause, count(*) from marts.adoption_gaps
        group by severity, root_cause order by 1, 2
        """,
    )
    top = _query(
        settings,
        f"""
        select g.account_id, a.account_name, g.feature_key, g.root_cause,
               g.root_cause_confidence, g.severity, g.arr_at_risk,
               g.recommended_action
        from marts.adoption_gaps as g
        left join marts.dim_accounts as a using (account_id)
        order by g.priority_score desc, g.account_id, g.feature_key
        limit {int(limit)}
        """,
    )
    alerts = _query(
        settings,
        "select severity, status, count(*) from marts.adoption_alerts group by severity, status",
    )
    return "\n\n".join(
        [
            format_table(["severity", "root_cause", "gaps"], counts),
            format_table(["severity", "status", "alerts"], alerts),
            f"top {limit} gaps by priority\n"
            + format_table(
                [
                    "account",
                    "name",
                    "feature",
                    "root_cause",
                    "conf",
                    "severity",
                    "arr_at_risk",
                    "recommended_action",
                ],
                top,
            ),
        ]
    )


SECTIONS = (
    ("Rows loaded and quarantined per source", load_section),
    ("Source freshness", freshness_section),
    ("dbt build", dbt_section),
    ("Quality gate (Great Expectations)", quality_section),
    ("Models trained (MLflow)", models_section),
    ("Adoption gaps", gaps_section),
)


def build_report(settings: Settings) -> Report:
    parts = []
    unavailable = []
    bodies = []
    for title, section in SECTIONS:
        try:
            body = section(settings)
        except Exception as error:  # a missing table must not hide the other sections
            body = f"unavailable: {error}"
            unavailable.append(title)
        parts.append(f"== {title} ==\n{body}")
        bodies.append((title, body))
    return Report("\n\n".join(parts) + "\n", tuple(unavailable), tuple(bodies))


def print_report(settings: Settings) -> Report:
    """Print the report and keep a copy under ``reports/``; the caller decides the exit code."""
    report = build_report(settings)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    (settings.reports_dir / "report.txt").write_text(report.text)
    print(report.text)
    return report

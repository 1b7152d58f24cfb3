"""Command line: `uptake simulate | extract | run | backfill | demo | report | evaluate |
trigger | status | docs`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from uptake.settings import Settings, get_settings
from uptake.simulation.catalog import CATALOGS
from uptake.simulation.parameters import DIFFICULTIES, PRESETS
from uptake.warehouse import warehouse_errors

if TYPE_CHECKING:
    from uptake.run_report import Report

# The demo preset: 18 months give the churn model enough labelled renewals with history.
DEMO = PRESETS["demo"]
DEMO_SEED = 7
DOCS_PORT = 8580  # uptake docs serves the dbt docs site on 127.0.0.1 here by default


def _simulate(args: argparse.Namespace) -> int:
    from uptake.simulation import simulate

    summary = simulate(
        Path(args.out),
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        difficulty=args.difficulty,
        start_date=args.start,
        catalog=args.catalog,
    )
    for key, value in summary.as_dict().items():
        print(f"{key}: {value}")
    return 0


def _progress(line: str) -> None:
    print(f"  {line}", flush=True)


def _run(settings: Settings, as_of: date | None) -> int:
    from uptake.orchestration.dags_test_runner import PipelineError, run_pipeline
    from uptake.outputs import format_locations
    from uptake.run_report import print_report

    print(f"running the pipeline over {settings.landing_dir} through Airflow", flush=True)
    try:
        result = run_pipeline(settings, as_of_date=as_of, progress=_progress)
    except PipelineError as error:
        print(f"pipeline failed: {error}", file=sys.stderr)
        return 1
    runs = ", ".join(f"{run.dag_id} {run.seconds:.0f} s" for run in result.dags)
    print(f"\n== Airflow runs for {result.as_of_date} ==")
    print(f"{runs}; total {result.total_seconds:.0f} s (incl. Airflow bootstrap)\n")
    status = _report_status(print_report(settings))
    print("== Where everything is ==")
    print(format_locations(settings))
    return status


def _gaps(settings: Settings, args: argparse.Namespace) -> int:
    from uptake.gaps_view import gaps_for
    from uptake.run_report import format_table
    from uptake.scored_tables import NotScoredError

    if args.account is None and args.csm is None:
        print("uptake gaps: give --account ID and/or --csm NAME", file=sys.stderr)
        return 2
    try:
        gaps = gaps_for(settings, account_id=args.account, csm=args.csm)
    except (NotScoredError, *warehouse_errors()) as error:
        print(f"gaps unavailable: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(gaps, indent=2, default=str))
        return 0
    if not gaps:
        print("no gaps for that account or CSM")
        return 0
    shown = ("account_id", "feature_key", "severity", "root_cause", "arr_at_risk",
             "recommended_action")  # fmt: skip
    print(format_table(shown, [[gap[c] for c in shown] for gap in gaps]))
    for gap in gaps[:5]:
        print(f"\n{gap['account_name']} / {gap['feature_key']}: {gap['summary']}")
    return 0


def _report_status(report: Report) -> int:
    """Exit status of a command that ends with the report: 1 when a section is unavailable."""
    if report.unavailable:
        missing = ", ".join(report.unavailable)
        print(f"report incomplete: unavailable sections: {missing}", file=sys.stderr)
        return 1
    return 0


def _backfill(settings: Settings, start: date, end: date) -> int:
    """One full pipeline run per day through Airflow, oldest first, each as of its own day."""
    from uptake.orchestration.dags_test_runner import PipelineError, PipelineResult, run_backfill
    from uptake.run_report import print_report

    if end < start:
        print(f"backfill: --end {end} is before --start {start}", file=sys.stderr)
        return 2

    def progress(result: PipelineResult) -> None:
        print(f"backfill {result.as_of_date}: {result.total_seconds:.0f} s", flush=True)

    try:
        run_backfill(settings, start, end, on_day=progress)
    except PipelineError as error:
        print(f"backfill failed: {error}", file=sys.stderr)
        return 1
    return _report_status(print_report(settings))


def _extract(settings: Settings) -> int:
    """The landing zone into ``raw`` without Airflow (debugging and benchmarks)."""
    from uptake.extract import LandingZoneError, extract_all
    from uptake.run_report import format_table

    try:
        summary = extract_all(settings)
    except LandingZoneError as error:
        print(f"extract failed: {error}", file=sys.stderr)
        return 1
    rows = summary.as_rows()
    if rows:
        print(format_table(list(rows[0]), [list(row.values()) for row in rows]))
    print(summary)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from uptake.simulation import simulate

    # The demo writes its own landing zone unless one was named explicitly.
    landing = settings.landing_dir
    if landing == settings.home / "landing":
        landing = settings.home / "demo" / "landing"
        settings = replace(settings, landing_dir=landing)
        settings.apply()
    print(f"simulating {args.accounts} accounts x {args.months} months into {landing}")
    simulate(landing, accounts=args.accounts, months=args.months, seed=args.seed)
    status = _run(settings, None)
    if status == 0:
        status = _evaluate(settings, None)
    return status


def _evaluate(settings: Settings, truth: str | None, as_json: bool = False) -> int:
    from uptake.scored_tables import NotScoredError
    from uptake.simulation.evaluation import evaluate_run, format_evaluation, log_evaluation

    try:
        result = evaluate_run(settings, Path(truth) if truth else None)
    except (FileNotFoundError, ValueError, NotScoredError, *warehouse_errors()) as error:
        print(f"evaluation unavailable: {error}", file=sys.stderr)
        return 1
    log_evaluation(settings, result)
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    print("== Decision quality against the planted truth (model beside the rule baseline) ==")
    print(format_evaluation(result))
    return 0


def _trigger(settings: Settings, args: argparse.Namespace) -> int:
    """Server mode: start uptake_extract on the running stack (``make up``)."""
    from uptake.orchestration.server.commands import trigger_command

    return trigger_command(settings, args.as_of, args.wait, args.timeout)


def _status(settings: Settings, args: argparse.Namespace) -> int:
    """Server mode: the latest run of each DAG on the running stack."""
    from uptake.orchestration.server.commands import status_command

    return status_command(settings, args.wait, args.timeout)


def _docs(settings: Settings, args: argparse.Namespace) -> int:
    """``dbt docs generate`` against the warehouse, then serve the site on 127.0.0.1."""
    from uptake.transform.docs import DocsError, docs_server, generate_docs

    try:
        site = generate_docs(settings)
    except DocsError as error:
        print(f"docs unavailable: {error}", file=sys.stderr)
        return 1
    print(f"dbt docs generated in {site.path} ({site.seconds:.0f} s)", flush=True)
    if args.no_serve:
        return 0
    try:
        server = docs_server(site.path, args.port)
    except OSError as error:
        print(f"cannot serve the docs on 127.0.0.1:{args.port}: {error}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"serving the dbt docs at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uptake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sim = commands.add_parser("simulate", help="write a simulated landing zone with ground truth")
    sim.add_argument("--out", required=True, help="landing zone folder to write")
    sim.add_argument("--accounts", type=int, default=DEMO["accounts"])
    sim.add_argument("--months", type=int, default=DEMO["months"])
    sim.add_argument("--seed", type=int, default=DEMO_SEED)
    sim.add_argument("--difficulty", choices=list(DIFFICULTIES), default="standard")
    sim.add_argument(
        "--catalog",
        choices=sorted(CATALOGS),
        default="analytics",
        help="the simulated product: its features, events, plans and use cases",
    )
    sim.add_argument(
        "--start",
        type=date.fromisoformat,
        default=None,
        help="first day of the simulated window (default: the window ends on the preset date)",
    )

    run = commands.add_parser("run", help="run the pipeline over UPTAKE_LANDING_DIR via Airflow")
    run.add_argument("--as-of", type=date.fromisoformat, default=None, help="day to score")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental dbt models from raw (UPTAKE_DBT_FULL_REFRESH=true)",
    )

    commands.add_parser("extract", help="load the landing zone into raw, without Airflow")

    backfill = commands.add_parser("backfill", help="run the pipeline day by day through Airflow")
    backfill.add_argument("--start", type=date.fromisoformat, required=True, help="first day")
    backfill.add_argument("--end", type=date.fromisoformat, required=True, help="last day")

    demo = commands.add_parser("demo", help="simulate a landing zone, run the pipeline, report")
    demo.add_argument("--accounts", type=int, default=DEMO["accounts"])
    demo.add_argument("--months", type=int, default=DEMO["months"])
    demo.add_argument("--seed", type=int, default=DEMO_SEED)

    report = commands.add_parser("report", help="print the report of the latest run")
    report.add_argument("--json", action="store_true", help="sections as JSON")

    gaps = commands.add_parser("gaps", help="the scored gaps of an account or a CSM")
    gaps.add_argument("--account", default=None, help="account id (CRM Id)")
    gaps.add_argument("--csm", default=None, help="CSM (the accounts' OwnerId)")
    gaps.add_argument("--json", action="store_true", help="print JSON")

    evaluate = commands.add_parser(
        "evaluate", help="score the latest run against a simulator's planted truth"
    )
    evaluate.add_argument("--truth", default=None, help="truth folder (default: landing/_truth)")
    evaluate.add_argument("--json", action="store_true", help="print JSON")

    trigger = commands.add_parser("trigger", help="server mode: run uptake_extract on the stack")
    trigger.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="day (default: latest delivery)"
    )
    trigger.add_argument("--wait", action="store_true", help="until uptake_score succeeded")
    trigger.add_argument("--timeout", type=float, default=7200.0, help="seconds --wait waits")

    status = commands.add_parser("status", help="server mode: latest run of each DAG")
    status.add_argument("--wait", action="store_true", help="until uptake_score succeeded")
    status.add_argument("--timeout", type=float, default=7200.0, help="seconds --wait waits")

    docs = commands.add_parser("docs", help="generate the dbt docs site and serve it on 127.0.0.1")
    docs.add_argument("--port", type=int, default=DOCS_PORT, help="port (0: any free one)")
    docs.add_argument("--no-serve", action="store_true", help="only generate the site")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "simulate":
        return _simulate(args)
    settings = get_settings()
    settings.apply()
    if args.command == "run":
        if args.full_refresh:
            # Travels to the transform task through the airflow subprocess's environment.
            settings = replace(settings, dbt_full_refresh=True)
        return _run(settings, args.as_of)
    if args.command == "demo":
        return _demo(settings, args)
    if args.command == "evaluate":
        return _evaluate(settings, args.truth, args.json)
    if args.command == "gaps":
        return _gaps(settings, args)
    if args.command == "extract":
        return _extract(settings)
    if args.command == "backfill":
        return _backfill(settings, args.start, args.end)
    if args.command == "trigger":
        return _trigger(settings, args)
    if args.command == "status":
        return _status(settings, args)
    if args.command == "docs":
        return _docs(settings, args)
    from uptake.run_report import build_report, print_report

    if args.json:
        report = build_report(settings)
        print(json.dumps(report.as_dict(), indent=2))
        return 1 if report.unavailable else 0
    return _report_status(print_report(settings))


if __name__ == "__main__":
    raise SystemExit(main())

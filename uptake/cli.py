"""Command line: `uptake simulate | run | demo | report`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from uptake.settings import Settings, get_settings
from uptake.simulate.config import PRESETS

# The demo preset: 18 months give the churn model enough labelled renewals with history.
DEMO = PRESETS["demo"]
DEMO_SEED = 7


def _simulate(args: argparse.Namespace) -> int:
    from uptake.simulate import simulate

    summary = simulate(
        Path(args.out),
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        difficulty=args.difficulty,
    )
    for key, value in summary.as_dict().items():
        print(f"{key}: {value}")
    return 0


def _run(settings: Settings, as_of: date | None) -> int:
    from uptake.pipeline import PipelineError, run_pipeline
    from uptake.report import print_report

    try:
        result = run_pipeline(settings, as_of_date=as_of)
    except PipelineError as error:
        print(f"pipeline failed: {error}", file=sys.stderr)
        return 1
    runs = ", ".join(f"{run.dag_id} {run.seconds:.0f} s" for run in result.dags)
    print(f"== Airflow runs for {result.as_of_date} ==")
    print(f"{runs}; total {result.total_seconds:.0f} s (incl. Airflow bootstrap)\n")
    print_report(settings)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from uptake.simulate import simulate

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
        _evaluate(settings, None)
    return status


def _evaluate(settings: Settings, truth: str | None) -> int:
    from uptake.evaluate import evaluate_run, format_evaluation

    result = evaluate_run(settings, Path(truth) if truth else None)
    print("== Detection quality against the planted truth ==")
    print(format_evaluation(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uptake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sim = commands.add_parser("simulate", help="write a simulated landing zone with ground truth")
    sim.add_argument("--out", required=True, help="landing zone folder to write")
    sim.add_argument("--accounts", type=int, default=DEMO["accounts"])
    sim.add_argument("--months", type=int, default=DEMO["months"])
    sim.add_argument("--seed", type=int, default=DEMO_SEED)
    sim.add_argument("--difficulty", choices=["standard", "hard"], default="standard")

    run = commands.add_parser("run", help="run the pipeline over UPTAKE_LANDING_DIR via Airflow")
    run.add_argument("--as-of", type=date.fromisoformat, default=None, help="day to score")

    demo = commands.add_parser("demo", help="simulate a landing zone, run the pipeline, report")
    demo.add_argument("--accounts", type=int, default=DEMO["accounts"])
    demo.add_argument("--months", type=int, default=DEMO["months"])
    demo.add_argument("--seed", type=int, default=DEMO_SEED)

    commands.add_parser("report", help="print the report of the latest run")

    evaluate = commands.add_parser(
        "evaluate", help="score the latest run against a simulator's planted truth"
    )
    evaluate.add_argument("--truth", default=None, help="truth folder (default: landing/_truth)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "simulate":
        return _simulate(args)
    settings = get_settings()
    settings.apply()
    if args.command == "run":
        return _run(settings, args.as_of)
    if args.command == "demo":
        return _demo(settings, args)
    if args.command == "evaluate":
        return _evaluate(settings, args.truth)
    from uptake.report import print_report

    print_report(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

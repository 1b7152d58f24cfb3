"""Detection quality on simulated companies the scoring was not tuned on, beside the rule baseline.

    python benchmarks/bench_quality.py [--split eval|dev|both] [--accounts 300] [--months 12]
                                       [--work DIR] [--rescore] [--catalog analytics|field_service]
                                       [--seeds 14,15,16]

For each seed of the split and each difficulty (standard, hard): simulate a landing zone, run
extract, dbt build, training and scoring in-process (the same functions the Airflow tasks call),
then `uptake.simulation.evaluation` against the planted truth. Development seeds are the ones
scoring rules and models may be tuned on; evaluation seeds are only reported. ``--rescore``
reuses each seed's raw schema and reruns dbt, training and scoring only (fast iteration on the
dev seeds). ``--catalog field_service`` runs the same on a second product (other feature keys,
events, plans and use cases) that no rule or model was tuned on. ``--seeds`` runs other
seeds in place of the split's (more development homes to fit on); an evaluation seed is only
accepted with ``--split eval``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from uptake.settings import get_settings
from uptake.simulation.catalog import CATALOGS
from uptake.simulation.evaluation import DEV_SEEDS, EVAL_SEEDS, METRICS, evaluate_run
from uptake.simulation.parameters import DIFFICULTIES

# "both": the two settings every figure is reported on; any other only when asked for
REPORTED_DIFFICULTIES = ("standard", "hard")


def run_seed(
    work: Path,
    seed: int,
    difficulty: str,
    accounts: int,
    months: int,
    rescore: bool,
    catalog: str,
):
    from uptake.extract import extract_all
    from uptake.ml import train_all
    from uptake.scoring import score_all
    from uptake.simulation import simulate
    from uptake.transform import run_dbt_build

    home = work / (
        f"{difficulty}-{seed}" if catalog == "analytics" else f"{catalog}-{difficulty}-{seed}"
    )
    landing = home / "landing"
    env = {"UPTAKE_HOME": str(home), "UPTAKE_LANDING_DIR": str(landing)}
    os.environ.update(env)
    settings = get_settings(env)
    started = time.perf_counter()
    loaded = settings.warehouse_path.exists() and (home / "loaded").exists()
    if not (rescore and loaded):
        if not (landing / "_truth").exists():
            simulate(landing, accounts, months, seed=seed, difficulty=difficulty, catalog=catalog)
        extract_all(settings)
        (home / "loaded").write_text("ok\n")
    run_dbt_build(settings)
    train_all(settings)
    score_all(settings)
    result = evaluate_run(settings)
    return result, time.perf_counter() - started


def seed_list(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "eval", "both"], default="eval")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path(".uptake/bench-quality"))
    parser.add_argument("--rescore", action="store_true")
    parser.add_argument("--catalog", choices=sorted(CATALOGS), default="analytics")
    parser.add_argument("--difficulty", choices=[*DIFFICULTIES, "both"], default="both")
    parser.add_argument("--seeds", type=seed_list, help="comma-separated, in place of the split's")
    args = parser.parse_args()
    splits = {"dev": DEV_SEEDS, "eval": EVAL_SEEDS}
    if args.seeds:
        if args.split == "both":
            parser.error("--seeds needs --split dev or --split eval")
        leaked = sorted(set(args.seeds) & set(EVAL_SEEDS)) if args.split == "dev" else []
        if leaked:
            parser.error(f"evaluation seeds {leaked} are not development seeds")
        splits[args.split] = args.seeds
    seeds = splits["dev"] + splits["eval"] if args.split == "both" else splits[args.split]
    difficulties = REPORTED_DIFFICULTIES if args.difficulty == "both" else (args.difficulty,)
    work = args.work.resolve()
    print(
        f"split {args.split}: seeds {list(seeds)}, "
        f"{args.accounts} accounts x {args.months} months, catalog {args.catalog}"
    )
    chosen = [name for name in splits if args.split in (name, "both")]
    for difficulty in difficulties:
        for split in chosen:
            rows = []
            for seed in splits[split]:
                result, seconds = run_seed(
                    work, seed, difficulty, args.accounts, args.months, args.rescore, args.catalog
                )
                rows.append(result)
                print(
                    f"  {difficulty:8} {split:4} seed {seed:>4}  {seconds:6.1f} s  "
                    + result.one_line()
                )
            print(f"{difficulty} {split} (mean over {len(rows)} seeds)    model   baseline")
            for metric, label in METRICS.items():
                model = statistics.fmean(getattr(r.model, metric) for r in rows)
                base = statistics.fmean(getattr(r.baseline, metric) for r in rows)
                print(f"  {label:34} {model:6.3f}   {base:6.3f}")
            hand_rule = statistics.fmean(r.hand_rule_cause_macro_f1 for r in rows)
            calibration = statistics.fmean(r.cause_confidence_ece for r in rows)
            print(f"  root-cause macro-F1 of the hand-weighted rule {hand_rule:.3f}")
            print(f"  root-cause confidence calibration error {calibration:.3f}")


if __name__ == "__main__":
    main()

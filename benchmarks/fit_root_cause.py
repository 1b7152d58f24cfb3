"""Fit the root-cause model on development homes and write ``ml/root_cause.toml``.

    SEEDS="--seeds 11,12,13,14,15,16"
    python benchmarks/bench_quality.py --split dev $SEEDS --work DEV
    python benchmarks/bench_quality.py --split dev $SEEDS --work DEV_FS --catalog field_service
    python benchmarks/bench_quality.py --split dev $SEEDS --work DEV_PLAIN --difficulty plain
    python benchmarks/bench_quality.py --split dev $SEEDS --work DEV_PLAIN_FS --difficulty plain \
        --catalog field_service
    python benchmarks/fit_root_cause.py DEV DEV_FS DEV_PLAIN DEV_PLAIN_FS [--out ml/root_cause.toml]
                                        [--check-only | --no-check]

The shipped file is fitted on those thirty-six homes (seeds 11 to 16, every setting, both
catalogs; 11 to 13 are the development seeds every cut-off was chosen on, 14 to 16 more of the
same kind, built only to fit on).

Every home under DIR (a folder with ``landing/_truth``) is read as scoring reads it
(``uptake.simulation.cause_fit``). Prints, per home, flagged-gap F1 and root-cause macro-F1 of
the model fitted on the other homes beside the hand-weighted rule, then their means per
setting, then fits on every home and writes the TOML (``--check-only``: figures only;
``--no-check``: the fit only, as leaving each of thirty-six homes out in turn takes an hour).
Only development seeds belong here: evaluation seeds are for reporting (bench_quality --split
eval).
"""

from __future__ import annotations

import argparse
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd

from uptake.simulation.cause_fit import (
    default_version,
    development_homes,
    fit_cause_model,
    labelled_gaps,
    leave_one_home_out,
    model_toml,
)


def checkout_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("ml/root_cause.toml"))
    check = parser.add_mutually_exclusive_group()
    check.add_argument("--check-only", action="store_true")
    check.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    homes = [home for root in args.work for home in development_homes(root.resolve())]
    gaps = pd.concat([labelled_gaps(home) for home in homes], ignore_index=True)
    if not args.no_check:
        figures = leave_one_home_out(gaps)
        pd.set_option("display.width", 120)
        print(figures.round(3).to_string(index=False))
        setting = figures["home"].str.replace(r"-\d+$", "", regex=True)
        print(figures.drop(columns="home").groupby(setting).mean().round(3).to_string())
    if args.check_only:
        return
    model = fit_cause_model(gaps, version="")
    model = replace(model, version=default_version(model))
    provenance = {
        "fitted_on": ", ".join(f"{home.parent.name}/{home.name}" for home in homes),
        "labelled_pairs": str(len(gaps)),
        "code_commit": checkout_commit(),
    }
    args.out.write_text(model_toml(model, provenance))
    print(f"wrote {args.out} (version {model.version})")


if __name__ == "__main__":
    main()

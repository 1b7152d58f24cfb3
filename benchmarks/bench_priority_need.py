"""Precision at 50 and the priority Spearman with other need estimates, on development homes.

    # the thirty-six development homes, built as benchmarks/fit_root_cause.py says
    python benchmarks/bench_priority_need.py DEV DEV_FS DEV_PLAIN DEV_PLAIN_FS [--needs shipped,max]
                                             [--folds 11+14,12+15,13+16]

Each home's root causes, flags and gap probability come from root-cause trees fitted on the
homes of the other folds; its gaps are then ranked with each need estimate (the peers' estimate,
the model's probability of a real gap, their combinations: ``NEED_ESTIMATES`` in
``uptake.simulation.priority_replay``) and evaluated against the planted truth beside the rule
baseline. Prints the means per setting. The ``shipped`` row is what scoring does; it
reproduces docs/scoring.md's table on the homes it names. Evaluation seeds are refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from uptake.simulation.cause_fit import development_homes
from uptake.simulation.priority_replay import (
    DEFAULT_FOLDS,
    NEED_ESTIMATES,
    load_home,
    replay,
    summarise,
)


def fold_list(text: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(seed) for seed in fold.split("+")) for fold in text.split(","))


def need_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in NEED_ESTIMATES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown needs {unknown}; known: {list(NEED_ESTIMATES)}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, nargs="+")
    parser.add_argument("--needs", type=need_list, default=list(NEED_ESTIMATES))
    parser.add_argument(
        "--folds", type=fold_list, default=DEFAULT_FOLDS, help="seeds joined by +, folds by ,"
    )
    args = parser.parse_args()
    paths = [home for root in args.work for home in development_homes(root.resolve())]
    homes = [load_home(path) for path in paths]
    rows = replay(homes, {name: NEED_ESTIMATES[name] for name in args.needs}, args.folds)
    pd.set_option("display.width", 160)
    print(summarise(rows).to_string())


if __name__ == "__main__":
    main()

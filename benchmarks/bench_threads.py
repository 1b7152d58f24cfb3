"""Gradient boosting with one OpenMP thread against all cores, idle and beside busy processes.

Why ``UPTAKE_ML_THREADS`` defaults to 1 (uptake/ml/threads.py): scikit-learn's boosters open a
parallel region per tree node, whose threads spin at the barrier while a descheduled sibling
catches up. This script fits the same booster (200 iterations, 5,000 rows x 20 features, the
size of a small company's adoption training set) and predicts 7 x 300 rows (the what-if
predictions of scoring), with one thread and with every core, first on an idle machine, then
with ``--busy`` processes spinning beside it, and checks that both give the same model.

    .venv/bin/python benchmarks/bench_threads.py --busy 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits


def spin() -> None:
    while True:
        pass


def measure(threads: int, rows: np.ndarray, labels: np.ndarray) -> tuple[float, float, object]:
    with threadpool_limits(limits=threads):
        started = time.perf_counter()
        model = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(rows, labels)
        fitted = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(7):
            model.predict_proba(rows[:300])
        return fitted, time.perf_counter() - started, model


def one_pass(label: str, rows: np.ndarray, labels: np.ndarray) -> None:
    cores = os.cpu_count() or 1
    fit_one, predict_one, one = measure(1, rows, labels)
    fit_all, predict_all, every = measure(cores, rows, labels)
    same = np.allclose(one.predict_proba(rows), every.predict_proba(rows))  # type: ignore[attr-defined]
    print(
        f"{label:<28} 1 thread: fit {fit_one:5.2f} s, predict {predict_one:5.2f} s | "
        f"{cores} threads: fit {fit_all:5.2f} s, predict {predict_all:5.2f} s | "
        f"fit {fit_all / fit_one:4.1f}x the 1-thread time; same model: {same}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=1, help="spinning processes beside it")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5000, 20))
    labels = (rows[:, 0] + rng.normal(size=5000) > 0).astype(int)
    print(f"cpu_count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start")
    one_pass("idle", rows, labels)
    burners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for burner in burners:
        burner.start()
    try:
        one_pass(f"{args.busy} busy process(es) beside", rows, labels)
    finally:
        for burner in burners:
            burner.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

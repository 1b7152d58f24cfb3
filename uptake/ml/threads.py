"""How many OpenMP and BLAS threads model training and scoring may use.

scikit-learn's gradient boosting and k-means open an OpenMP parallel region per tree node or
per iteration, and each region's threads spin at its barrier waiting for the others. On a
2-core machine shared with anything else (the Airflow scheduler, dbt, PostgreSQL, a neighbour)
one of them is descheduled and the other spins: measured on the 2 vCPU build machine, one
200-iteration booster on 5,000 rows took 7.6 s with two threads while other jobs ran and 0.57 s
with one; idle, two threads took 0.45-0.50 s (docs/models.md, "Threads"). A booster is the
same with any thread count (each thread builds whole feature histograms), so one thread is the
default and ``UPTAKE_ML_THREADS`` raises it on a machine the pipeline has to itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def ml_threads(threads: int) -> Iterator[None]:
    """Cap every OpenMP and BLAS pool of this process at ``threads`` inside the block."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    with threadpool_limits(limits=threads):
        yield

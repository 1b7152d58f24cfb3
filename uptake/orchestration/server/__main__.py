"""``python -m uptake.orchestration.server up|down``: what ``make up`` and ``make down`` run."""

from __future__ import annotations

import argparse
import sys

from uptake.orchestration.server.databases import redact
from uptake.orchestration.server.stack import StackError, down, up
from uptake.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m uptake.orchestration.server", description=__doc__
    )
    parser.add_argument("action", choices=["up", "down"])
    args = parser.parse_args(argv)
    settings = get_settings()
    settings.apply()
    if args.action == "down":
        left = down(settings)
        if left:
            print(f"processes still running after down: {left}", file=sys.stderr)
            return 1
        print("stack stopped; no process left")
        return 0
    try:
        state = up(settings, progress=lambda line: print(f"  {line}", flush=True))
    except StackError as error:
        print(f"make up failed: {error}", file=sys.stderr)
        return 1
    print(f"stack up in {state.startup_seconds:.0f} s ({state.executor})")
    print(f"  Airflow UI and API: {state.airflow_url}  (user admin, password in "
          f"{settings.server_dir / 'secrets' / 'airflow-passwords.json'})")  # fmt: skip
    print(f"  MLflow:             {state.mlflow_url}")
    print(f"  metadata DB:        {redact(settings.airflow_db)}")
    print(f"  landing zone:       {state.landing_dir}")
    print(f"  logs:               {settings.server_dir / 'logs'}")
    print("next: uptake trigger --wait   (or .venv/bin/uptake trigger --wait)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env bash
# Runs a tiny simulated landing zone through the whole pipeline (Airflow, dbt, GX, MLflow) under
# strace and prints every network connection attempt that is not a Unix socket. Expect none.
# Usage: benchmarks/check_offline.sh   (needs strace: apt-get install -y strace)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/uptake simulate --out "$work/landing" --accounts 20 --months 5 --seed 3 >/dev/null
UPTAKE_HOME="$work/home" UPTAKE_LANDING_DIR="$work/landing" \
  strace -f -qq -e trace=connect -o "$work/strace.log" .venv/bin/uptake run >"$work/run.log" 2>&1 \
  || { tail -20 "$work/run.log"; exit 1; }
total=$(grep -c 'connect(' "$work/strace.log" || true)
network=$(grep 'connect(' "$work/strace.log" | grep -v 'AF_UNIX' || true)
echo "connect() calls: $total; not on a Unix socket: $(printf '%s' "$network" | grep -c . || true)"
if [ -n "$network" ]; then
  printf '%s\n' "$network"
  exit 1
fi

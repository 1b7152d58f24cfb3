# Uptake: the commands in the README. Each bootstraps uv and .venv itself (PyPI only).
PYTHON ?= python3.11
VENV := .venv
UV := .tools/bin/uv
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo run up down trigger status test test-slow lint format bench clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON) --compile-bytecode --quiet
	touch $@

demo: $(STAMP)
	$(VENV)/bin/uptake demo

run: $(STAMP)
	$(VENV)/bin/uptake run

# Server mode: Airflow scheduler stack + MLflow server as local processes (docs/orchestration.md).
up: $(STAMP)
	$(VENV)/bin/python -m uptake.orchestration.server up

down: $(STAMP)
	$(VENV)/bin/python -m uptake.orchestration.server down

trigger: $(STAMP)
	$(VENV)/bin/uptake trigger --wait

status: $(STAMP)
	$(VENV)/bin/uptake status

test: $(STAMP)
	$(VENV)/bin/pytest

# The worked examples (they train champions on a simulated company first) and the day-by-day
# backfill through Airflow: about 15 minutes together; CI runs them after `make test`.
test-slow: $(STAMP)
	$(VENV)/bin/pytest -m slow

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint dbt_project/models

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_simulator.py
	$(VENV)/bin/python benchmarks/bench_extract.py --events 1000000 --days 365 --rounds 3
	$(VENV)/bin/python benchmarks/bench_text.py
	$(VENV)/bin/python benchmarks/bench_pipeline.py --accounts 370 --months 12

clean:
	rm -rf .uptake dbt_project/target dbt_project/logs

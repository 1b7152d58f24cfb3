"""One tiny simulated landing zone per test session (each standard and hard), read-only in tests."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from uptake.simulation import PRESETS, SimulationSummary, simulate


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    root = tmp_path_factory.mktemp("tiny_standard")
    return root, simulate(root, seed=7, **PRESETS["tiny"])


@pytest.fixture(scope="session")
def tiny_hard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    root = tmp_path_factory.mktemp("tiny_hard")
    return root, simulate(root, seed=7, difficulty="hard", **PRESETS["tiny"])


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def event_lines(root: Path) -> Iterator[tuple[Path, int, str]]:
    """(file, 1-based line number, text) of every product event line."""
    for path in sorted((root / "product_events").glob("dt=*/*")):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                yield path, number, line.rstrip("\n")


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]

"""Same arguments, same bytes; another seed, other data; a rerun leaves nothing stale."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from uptake.simulation import PRESETS, SimulationSummary, simulate


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(
    tiny: tuple[Path, SimulationSummary], tmp_path: Path
) -> None:
    root, summary = tiny
    again = simulate(tmp_path, seed=7, **PRESETS["tiny"])
    assert _digest(tmp_path) == _digest(root)
    assert again.as_dict() | {"out_dir": "", "truth_paths": {}, "seconds": 0} == (
        summary.as_dict() | {"out_dir": "", "truth_paths": {}, "seconds": 0}
    )


def test_rerun_into_the_same_folder_replaces_the_previous_landing_zone(
    tiny: tuple[Path, SimulationSummary], tmp_path: Path
) -> None:
    root, _ = tiny
    keep = tmp_path / "notes.txt"
    keep.write_text("not ours")
    simulate(tmp_path, seed=8, **PRESETS["tiny"])
    simulate(tmp_path, seed=7, **PRESETS["tiny"])
    assert _digest(tmp_path) == _digest(root) | {"notes.txt": _digest(tmp_path)["notes.txt"]}


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    first = simulate(tmp_path / "a", accounts=5, months=2, seed=1)
    second = simulate(tmp_path / "b", accounts=5, months=2, seed=2)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert a["crm/dt=2026-10-31/accounts.csv"] != b["crm/dt=2026-10-31/accounts.csv"]
    assert first.events != second.events


def test_bad_arguments_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="difficulty"):
        simulate(tmp_path, accounts=3, months=1, difficulty="easy")
    with pytest.raises(ValueError, match="accounts"):
        simulate(tmp_path, accounts=0, months=1)


def test_hard_difficulty_keeps_the_customers_and_changes_the_signals(
    tiny: tuple[Path, SimulationSummary], tiny_hard: tuple[Path, SimulationSummary]
) -> None:
    (standard, _), (hard, _) = tiny, tiny_hard
    a, b = _digest(standard), _digest(hard)
    assert a["crm/dt=2026-10-31/accounts.csv"] == b["crm/dt=2026-10-31/accounts.csv"]
    assert a["catalog/features.csv"] == b["catalog/features.csv"]
    assert a["_truth/feature_truth.csv"] != b["_truth/feature_truth.csv"]
    tickets = sorted(k for k in a if k.endswith("tickets.jsonl"))
    assert [a[k] for k in tickets] != [b.get(k) for k in tickets]

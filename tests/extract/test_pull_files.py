"""Deliveries appear whole or not at all; state files are replaced atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from uptake.extract.landing import discover
from uptake.extract.pull.files import Delivery, load_state, save_state


def test_a_failed_delivery_keeps_the_previous_files_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "support" / "dt=2026-03-01"
    with Delivery(folder) as delivery:
        with delivery.open("tickets.jsonl") as handle:
            handle.write('{"id":1}\n')
        # Staged files are hidden from the loader until the commit.
        assert discover(tmp_path).files == []
        delivery.commit()
    with pytest.raises(RuntimeError), Delivery(folder) as delivery:
        with delivery.open("tickets.jsonl") as handle:
            handle.write('{"id":2}\n')
        with delivery.open("organizations.jsonl") as handle:
            handle.write('{"id":9}\n')
        raise RuntimeError("the API failed half way")
    assert sorted(p.name for p in folder.iterdir()) == ["tickets.jsonl"]
    assert (folder / "tickets.jsonl").read_text() == '{"id":1}\n'


def test_state_round_trips_and_is_absent_before_the_first_pull(tmp_path: Path) -> None:
    path = tmp_path / "_state" / "crm.json"
    assert load_state(path) == {}
    save_state(path, {"as_of": "2026-03-01", "tables": {"accounts": {"rows": {"001A": ["x"]}}}})
    save_state(path, {"as_of": "2026-03-02"})
    assert load_state(path) == {"as_of": "2026-03-02"}
    assert [p.name for p in path.parent.iterdir()] == ["crm.json"]

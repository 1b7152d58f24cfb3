"""The customer-success platform export: CSM notes and interventions, per delivery day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.adoption_states import Intervention
from uptake.simulation.signal_timing import PlannedNote
from uptake.simulation.text import RENEWAL_NOTES, note_text
from uptake.simulation.world import FIRST_NAMES, World
from uptake.simulation.writers import write_csv, write_jsonl

INTERVENTION_COLUMNS = (
    "intervention_id",
    "account_id",
    "feature_key",
    "type",
    "owner",
    "started_at",
)
CHANNELS = ("call", "email", "meeting", "qbr", "slack")


def _iso(start: datetime, seconds: int) -> str:
    return (start + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_cs(
    root: Path,
    world: World,
    notes: list[PlannedNote],
    interventions: list[Intervention],
    seed: int,
    difficulty: str,
) -> dict[str, int]:
    rng = np.random.default_rng([seed, 9])
    window = world.window
    start = datetime(window.start.year, window.start.month, window.start.day)
    notes_by_day: dict[int, list[dict[str, object]]] = defaultdict(list)
    for number, note in enumerate(notes, start=1):
        account = world.accounts[note.account]
        feature = world.catalog.features[note.feature] if note.feature >= 0 else None
        users = world.users.first_name[account.users]
        contact = FIRST_NAMES[int(users[int(rng.integers(len(users)))])]
        day = note.created // 86400
        if note.kind in ("renewal_won", "renewal_lost"):
            body = RENEWAL_NOTES[note.kind == "renewal_lost"].format(contact=contact)
            channel = "call"
        else:
            named = rng.random() < parameters.NAMES_FEATURE_IN_TEXT[difficulty]
            vague = rng.random() < parameters.VAGUE_TEXT_SHARE[difficulty]
            use_case = world.catalog.use_cases[account.use_case]
            body = note_text(note.kind, feature, named, vague, use_case, contact, rng)
            channel = CHANNELS[int(rng.integers(len(CHANNELS)))]
        notes_by_day[day].append(
            {
                "id": f"n-{number}",
                "account_id": account.account_id,
                "author": account.owner_on(day),
                "created_at": _iso(start, note.created),
                "channel": channel,
                "body": body,
            }
        )
    counts = {"cs_notes": 0, "cs_interventions": 0}
    for day in sorted(notes_by_day):
        path = root / "cs" / f"dt={window.date(day).isoformat()}" / "notes.jsonl"
        counts["cs_notes"] += write_jsonl(path, notes_by_day[day])

    rows_by_day: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for item in sorted(interventions, key=lambda i: (i.day, i.second_of_day, i.intervention_id)):
        account = world.accounts[item.account]
        rows_by_day[item.day].append(
            (
                item.intervention_id,
                account.account_id,
                world.catalog.features[item.feature].key,
                item.kind,
                account.owner_on(item.day),
                _iso(start, item.day * 86400 + item.second_of_day),
            )
        )
    for day in sorted(rows_by_day):
        path = root / "cs" / f"dt={window.date(day).isoformat()}" / "interventions.csv"
        counts["cs_interventions"] += write_csv(path, INTERVENTION_COLUMNS, rows_by_day[day])
    return counts

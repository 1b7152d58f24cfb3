"""Delivery mess on the event stream: late arrival, at-least-once duplicates, broken lines.

The plan is a table of output lines (each pointing at a message) with its delivery day, file
part and defect. The counts written to ``_truth/mess.json`` are computed from this final table,
so they match what is on disk by construction (the tests check that independently).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.events import TRACK, Messages

DAY_MS = 86_400_000


@dataclass
class LinePlan:
    source: np.ndarray  # int64 message row
    delivery_day: np.ndarray  # int32 dt as a window day
    part: np.ndarray  # int8 file part within the day
    defect: np.ndarray  # int8: 0 fine, else 1 + index into parameters.MALFORMED_KINDS
    no_context: np.ndarray  # bool per message: track event without context.groupId
    plain: np.ndarray  # bool per (day, part): written as .jsonl instead of .jsonl.gz
    parts_per_day: np.ndarray  # int8

    def file_key(self) -> np.ndarray:
        return self.delivery_day.astype(np.int64) * 4 + self.part


def plan_lines(messages: Messages, days: int, epoch_day: int, seed: int) -> LinePlan:
    rng = np.random.default_rng([seed, 20])
    n = len(messages)
    event_day = (messages.timestamp_ms // DAY_MS - epoch_day).astype(np.int32)
    delivery = event_day.copy()

    eligible = np.nonzero(event_day < days - 1)[0]
    late = rng.choice(
        eligible,
        size=min(len(eligible), round(parameters.MESS_RATES["late_events"] * n)),
        replace=False,
    )
    delay = rng.integers(1, 6, len(late))
    delivery[late] = np.minimum(event_day[late] + delay, days - 1)

    parts_per_day = rng.choice([1, 2, 3], size=days, p=[0.6, 0.3, 0.1]).astype(np.int8)
    part = (rng.random(n) * parts_per_day[delivery]).astype(np.int8)

    # Duplicates: half in the same file, half in another file (another part or a later dt).
    duplicated = rng.choice(
        n, size=round(parameters.MESS_RATES["duplicate_messages"] * n), replace=False
    )
    duplicated.sort()
    copy_day = delivery[duplicated].copy()
    copy_part = part[duplicated].copy()
    elsewhere = rng.random(len(duplicated)) < 0.5
    for i in np.nonzero(elsewhere)[0]:
        day, own = int(copy_day[i]), int(copy_part[i])
        later = min(day + int(rng.integers(0, 3)), days - 1)
        if later != day:
            copy_day[i], copy_part[i] = later, int(rng.integers(parts_per_day[later]))
        elif parts_per_day[day] > 1:
            copy_part[i] = (own + 1 + int(rng.integers(parts_per_day[day] - 1))) % parts_per_day[
                day
            ]
        elif day < days - 1:
            copy_day[i], copy_part[i] = day + 1, int(rng.integers(parts_per_day[day + 1]))

    # Broken lines replace track messages that are not duplicated (the event is lost).
    per_kind = round(parameters.MESS_RATES["malformed_per_kind"] * n)
    candidates = np.setdiff1d(np.nonzero(messages.kind == TRACK)[0], duplicated)
    broken = rng.choice(candidates, size=min(len(candidates), per_kind * 5), replace=False)
    defect = np.zeros(n, dtype=np.int8)
    defect[broken] = 1 + np.arange(len(broken)) % len(parameters.MALFORMED_KINDS)

    no_context = (messages.kind == TRACK) & (
        rng.random(n) < parameters.MESS_RATES["missing_group_context"]
    )
    source = np.concatenate([np.arange(n), duplicated])
    plan = LinePlan(
        source=source,
        delivery_day=np.concatenate([delivery, copy_day]).astype(np.int32),
        part=np.concatenate([part, copy_part]).astype(np.int8),
        defect=np.concatenate([defect, np.zeros(len(duplicated), dtype=np.int8)]),
        no_context=no_context,
        plain=rng.random((days, 3)) < parameters.MESS_RATES["plain_jsonl_files"],
        parts_per_day=parts_per_day,
    )
    # Out of order inside every file: a random order, grouped by file.
    shuffle = rng.permutation(len(source))
    order = shuffle[np.argsort(plan.file_key()[shuffle], kind="stable")]
    plan.source, plan.delivery_day = plan.source[order], plan.delivery_day[order]
    plan.part, plan.defect = plan.part[order], plan.defect[order]
    return plan


def count_mess(plan: LinePlan, messages: Messages, epoch_day: int) -> dict[str, object]:
    """What was planted, counted from the final lines (what the files hold)."""
    valid = plan.defect == 0
    source = plan.source[valid]
    files = plan.file_key()[valid]
    copies = np.bincount(source, minlength=len(messages))
    span = int(files.max(initial=0)) + 1
    pairs = np.unique(source.astype(np.int64) * span + files)
    distinct_files = np.bincount(pairs // span, minlength=len(messages))
    seen = copies > 0
    same_file = int((copies[seen] - distinct_files[seen]).sum())
    across = int((distinct_files[seen] - 1).sum())
    event_day = messages.timestamp_ms[source] // DAY_MS - epoch_day
    late_days = plan.delivery_day[valid] - event_day
    malformed = {
        kind: int((plan.defect == index + 1).sum())
        for index, kind in enumerate(parameters.MALFORMED_KINDS)
    }
    kinds = messages.kind[source]
    return {
        "lines": len(plan.source),
        "valid_lines": int(valid.sum()),
        "distinct_message_ids": int(seen.sum()),
        "duplicate_message_ids": {
            "total": same_file + across,
            "same_file": same_file,
            "across_files": across,
        },
        "late_events": int((late_days > 0).sum()),
        "late_events_by_days": {
            str(d): int((late_days == d).sum()) for d in range(1, int(late_days.max(initial=0)) + 1)
        },
        "malformed_lines": {**malformed, "total": sum(malformed.values())},
        "track_without_group_context": int((plan.no_context[source] & (kinds == TRACK)).sum()),
        "messages_by_type": {
            "track": int((kinds == 0).sum()),
            "identify": int((kinds == 1).sum()),
            "group": int((kinds == 2).sum()),
        },
    }

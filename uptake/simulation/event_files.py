"""Render the planned event lines as Segment JSON lines and write product_events/ files."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.events import ERROR_CODES, GROUP, IDENTIFY, TRACK, Messages
from uptake.simulation.mess import LinePlan
from uptake.simulation.world import FIRST_NAMES, LAST_NAMES, ROLES, World
from uptake.simulation.writers import encode, write_bytes

NOT_JSON, MISSING_ID, MISSING_TIMESTAMP, MISSING_TYPE, BAD_TIMESTAMP = range(1, 6)
_TYPES = {TRACK: '"type":"track"', IDENTIFY: '"type":"identify"', GROUP: '"type":"group"'}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class MessageIds:
    """Random-looking ``ajs-`` ids, unique by construction: the low half is a bijection of the
    message number (odd multiplier modulo 2**62), the high half is random."""

    _MULTIPLIER = 0x2545F4914F6CDD1D | 1
    _MASK = (1 << 62) - 1

    def __init__(self, count: int, seed: int) -> None:
        rng = np.random.default_rng([seed, 21])
        self.high = rng.integers(0, 2**62, count, dtype=np.int64)
        self.offset = int(rng.integers(0, 2**62))

    def __getitem__(self, row: int) -> str:
        low = (row * self._MULTIPLIER + self.offset) & self._MASK
        return f"ajs-{int(self.high[row]):016x}{low:016x}"


class _Renderer:
    def __init__(self, world: World, messages: Messages, plan: LinePlan, seed: int) -> None:
        self.messages = messages
        self.plan = plan
        self.rng = np.random.default_rng([seed, 22])
        self.ids = MessageIds(len(messages), seed)
        self.stamps: dict[int, str] = {}
        users = world.users
        self.user_ids = [f"u-{number:06d}" for number in range(len(users.account))]
        self.user_traits = []
        for number in range(len(users.account)):
            first = FIRST_NAMES[users.first_name[number]]
            last = LAST_NAMES[users.last_name[number]]
            domain = world.accounts[users.account[number]].domain
            traits = {
                "email": f"{_ascii(first)}.{_ascii(last)}.{number}@{domain}",
                "name": f"{first} {last}",
                "role": ROLES[users.role[number]],
            }
            self.user_traits.append(json.dumps(traits, ensure_ascii=False))
        self.group_ids = [a.account_id for a in world.accounts]
        self.group_traits = [
            json.dumps({"name": a.name, "industry": a.industry, "employees": a.employees})
            for a in world.accounts
        ]
        self.event_names = [json.dumps(name) for name in messages.vocabulary]
        self.properties = ["{}"] + [json.dumps({"error": code}) for code in ERROR_CODES]

    def prepare(self, rows: np.ndarray) -> None:
        """Format the timestamps of one file's rows at once (vectorised), keeping memory flat."""
        stamps = self.messages.timestamp_ms[rows].astype("datetime64[ms]")
        text = np.datetime_as_string(stamps, unit="ms").tolist()
        self.stamps = {int(r): t + "Z" for r, t in zip(rows.tolist(), text, strict=True)}

    def line(self, row: int, defect: int) -> str:
        m = self.messages
        kind = int(m.kind[row])
        fields = []
        if defect != MISSING_TYPE:
            fields.append(_TYPES[kind])
        if defect != MISSING_ID:
            fields.append(f'"messageId":"{self.ids[row]}"')
        if defect == BAD_TIMESTAMP:
            bad = parameters.BAD_TIMESTAMPS[int(self.rng.integers(len(parameters.BAD_TIMESTAMPS)))]
            fields.append(f'"timestamp":"{bad}"')
        elif defect != MISSING_TIMESTAMP:
            fields.append(f'"timestamp":"{self.stamps[row]}"')
        user = int(m.user[row])
        fields.append(f'"userId":"{self.user_ids[user]}"')
        account = int(m.account[row])
        if kind == TRACK:
            context = (
                "{}" if self.plan.no_context[row] else f'{{"groupId":"{self.group_ids[account]}"}}'
            )
            fields.append(
                f'"event":{self.event_names[m.event[row]]},'
                f'"properties":{self.properties[m.error[row] + 1]},"context":{context}'
            )
        elif kind == IDENTIFY:
            fields.append(f'"traits":{self.user_traits[user]}')
        else:
            fields.append(
                f'"groupId":"{self.group_ids[account]}","traits":{self.group_traits[account]}'
            )
        text = "{" + ",".join(fields) + "}"
        if defect == NOT_JSON:  # a truncated write: any proper prefix of an object is not JSON
            text = text[: int(self.rng.integers(5, len(text) - 1))]
        return text


def write_event_files(
    root: Path, world: World, messages: Messages, plan: LinePlan, seed: int
) -> tuple[dict[str, int], list[dict[str, object]]]:
    """Write every event file; re-deliver 1-3 of them. Returns file counts and re-deliveries."""
    renderer = _Renderer(world, messages, plan, seed)
    keys = plan.file_key()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    stops = np.r_[starts[1:], len(keys)]
    rng = np.random.default_rng([seed, 23])
    big = [i for i in range(len(starts)) if stops[i] - starts[i] >= 10]
    redeliver = set(
        rng.choice(big, size=min(len(big), int(rng.integers(1, 4))), replace=False).tolist()
    )
    counts = {"files": 0, "gzip_files": 0, "plain_files": 0}
    redelivered: list[dict[str, object]] = []
    for number, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        day, part = int(plan.delivery_day[start]), int(plan.part[start])
        plain = bool(plan.plain[day, part])
        name = f"events-{part:03d}.jsonl" + ("" if plain else ".gz")
        relative = f"product_events/dt={world.window.date(day).isoformat()}/{name}"
        renderer.prepare(plan.source[start:stop])
        lines = [
            renderer.line(int(plan.source[i]), int(plan.defect[i])) for i in range(start, stop)
        ]
        data = encode("\n".join(lines) + "\n", gzipped=not plain)
        if number in redeliver:
            # First delivery: an incomplete batch. The re-delivery below replaces it in place.
            keep = np.sort(rng.choice(len(lines), size=int(len(lines) * 0.7), replace=False))
            old = encode("\n".join(lines[i] for i in keep) + "\n", gzipped=not plain)
            old_hash = write_bytes(root / relative, old)
            write_bytes(root / "_truth" / "redelivered" / relative, old)
            redelivered.append(
                {
                    "path": relative,
                    "old_sha256": old_hash,
                    "old_lines": len(keep),
                    "new_lines": len(lines),
                    "old_copy": f"_truth/redelivered/{relative}",
                }
            )
        new_hash = write_bytes(root / relative, data)
        if number in redeliver:
            redelivered[-1]["new_sha256"] = new_hash
        counts["files"] += 1
        counts["plain_files" if plain else "gzip_files"] += 1
    return counts, redelivered

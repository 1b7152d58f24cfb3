"""Zendesk-style incremental export: organizations and tickets that reappear when they change."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.signal_timing import PlannedTicket
from uptake.simulation.text import ticket_text
from uptake.simulation.world import World
from uptake.simulation.writers import write_jsonl

TICKET_TYPES = ("question", "problem", "incident", "task")
CHANNEL_TAGS = ("web_form", "email", "chat")


def organization_id(account: int) -> int:
    return 9001 + account


def _iso(start: datetime, seconds: int) -> str:
    return (start + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def _versions(rng: np.random.Generator, created: int) -> list[tuple[int, str]]:
    """(updated second, status) rows of a ticket's life: new/open -> pending -> solved -> closed."""
    rows = [(created, "new" if rng.random() < 0.5 else "open")]
    at = created + int(rng.exponential(4 * 3600)) + 60
    if rng.random() < 0.7:
        rows.append((at, "open"))
        at += int(rng.exponential(86400)) + 60
    if rng.random() < 0.4:
        rows.append((at, "pending"))
        at += int(rng.exponential(2 * 86400)) + 60
    rows.append((at, "solved"))
    rows.append((at + 4 * 86400, "closed"))
    return rows


def write_support(
    root: Path, world: World, tickets: list[PlannedTicket], seed: int, difficulty: str
) -> dict[str, int]:
    """Write organizations and ticket rows per delivery day; only changes up to the end date."""
    rng = np.random.default_rng([seed, 8])
    window = world.window
    start = datetime(window.start.year, window.start.month, window.start.day)
    end_second = window.days * 86400 - 1
    by_day: dict[int, list[dict[str, object]]] = defaultdict(list)
    for number, ticket in enumerate(tickets, start=1):
        account = world.accounts[ticket.account]
        feature = world.catalog.features[ticket.feature] if ticket.feature >= 0 else None
        named = rng.random() < parameters.NAMES_FEATURE_IN_TEXT[difficulty]
        vague = rng.random() < parameters.VAGUE_TEXT_SHARE[difficulty]
        subject, description = ticket_text(
            ticket.intent,
            feature,
            named,
            vague,
            world.catalog.use_cases[account.use_case],
            rng,
        )
        type_p = parameters.TICKET_TYPE_BY_INTENT[ticket.intent]
        kind = TICKET_TYPES[int(rng.choice(4, p=type_p))]
        tags = []
        if rng.random() < parameters.INTENT_TAG_SHARE:
            tags.append(ticket.intent)
        if feature is not None and rng.random() < parameters.FEATURE_TAG_SHARE:
            tags.append(feature.key)
        tags.append(CHANNEL_TAGS[int(rng.integers(len(CHANNEL_TAGS)))])
        tags.append(f"plan_{world.catalog.plan_name(account.plan_on(ticket.created // 86400))}")
        urgent = ticket.intent in ("bug", "complaint")
        priority = str(
            rng.choice(
                ("low", "normal", "high", "urgent"),
                p=(0.1, 0.5, 0.3, 0.1) if urgent else (0.3, 0.6, 0.1, 0.0),
            )
        )
        users = np.arange(account.users.start, account.users.stop)
        requester = 100000 + int(users[int(rng.integers(len(users)))])
        for updated, status in _versions(rng, ticket.created):
            if updated > end_second:
                break
            by_day[updated // 86400].append(
                {
                    "id": number,
                    "organization_id": organization_id(account.index),
                    "requester_id": requester,
                    "subject": subject,
                    "description": description,
                    "status": status,
                    "priority": priority,
                    "type": kind,
                    "tags": tags,
                    "created_at": _iso(start, ticket.created),
                    "updated_at": _iso(start, updated),
                }
            )

    # Organizations: everyone known on day 0 in the first export, then each new one on its day.
    orgs_by_day: dict[int, list[dict[str, object]]] = defaultdict(list)
    for account in world.accounts:
        day = max(account.created_day, 0)
        if day < window.days:
            orgs_by_day[day].append(
                {
                    "id": organization_id(account.index),
                    "external_id": account.account_id,
                    "name": account.name,
                }
            )
    counts = {"support_ticket_rows": 0, "support_tickets": 0, "support_organizations": 0}
    ticket_ids: set[int] = set()
    for day in sorted(set(by_day) | set(orgs_by_day)):
        folder = root / "support" / f"dt={window.date(day).isoformat()}"
        if day in orgs_by_day:
            counts["support_organizations"] += write_jsonl(
                folder / "organizations.jsonl", orgs_by_day[day]
            )
        if day in by_day:
            rows = sorted(by_day[day], key=lambda r: (str(r["updated_at"]), int(r["id"])))
            counts["support_ticket_rows"] += write_jsonl(folder / "tickets.jsonl", rows)
            ticket_ids.update(int(r["id"]) for r in rows)
    counts["support_tickets"] = len(ticket_ids)
    return counts

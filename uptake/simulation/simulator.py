"""``simulate()``: write a landing zone (docs/contract.md, 1) plus its ground truth in ``_truth/``.

Order matters because each step feeds the next: customers -> latent adoption states ->
interventions (which move adoption) -> planned tickets and notes -> renewals and churn (which
read adoption, usage trend and ticket load) -> everything after a churn is dropped -> events ->
delivery mess -> files.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.adoption_states import Intervention, Pairs, build_pairs, draw_interventions
from uptake.simulation.catalog import CATALOGS, write_catalog
from uptake.simulation.crm import settle_after_churn, write_crm
from uptake.simulation.cs import write_cs
from uptake.simulation.event_files import write_event_files
from uptake.simulation.events import build_messages
from uptake.simulation.mess import count_mess, plan_lines
from uptake.simulation.renewal_outcomes import RenewalOutcome, draw_renewals
from uptake.simulation.signal_timing import PlannedNote, PlannedTicket, plan_signals
from uptake.simulation.support import write_support
from uptake.simulation.truth import truth_label, write_truth
from uptake.simulation.world import Window, World, add_months, build_world, make_window

SOURCES = ("catalog", "product_events", "crm", "support", "cs", "_truth")


@dataclass
class SimulationSummary:
    out_dir: str
    seed: int
    difficulty: str
    catalog: str
    start_date: str
    end_date: str
    accounts: int
    users: int
    churned_accounts: int
    entitled_pairs: int
    truth_status: dict[str, int]
    root_causes: dict[str, int]
    renewals: int
    closed_renewals: int
    churn_rate: float
    interventions: int
    events: int  # distinct Segment messages delivered intact
    files: dict[str, int]
    rows: dict[str, int]
    mess: dict[str, object]
    truth_paths: dict[str, str]
    seconds: float = field(default=0.0, compare=False)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _validate(accounts: int, months: int, difficulty: str) -> None:
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    if difficulty not in parameters.DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {parameters.DIFFICULTIES}, not {difficulty!r}")


def _count_files(root: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(root).parts
        if parts[0] == "_truth":
            counts["truth"] += 1
        elif parts[0] == "product_events":
            counts["product_events_" + ("gz" if path.name.endswith(".gz") else "jsonl")] += 1
        else:
            counts[f"{parts[0]}/{path.name}"] += 1
    return dict(sorted(counts.items()))


def _renewal_notes(renewals: list[RenewalOutcome], seed: int) -> list[PlannedNote]:
    rng = np.random.default_rng([seed, 10])
    notes = []
    for outcome in renewals:
        if outcome.is_closed and rng.random() < 0.7:
            kind = "renewal_lost" if outcome.churned else "renewal_won"
            second = outcome.close_day * 86400 + int(rng.integers(14 * 3600, 22 * 3600))
            notes.append(PlannedNote(outcome.account, -1, kind, second))
    return notes


@dataclass(frozen=True)
class Company:
    """Everything drawn for a simulated company before any file is written: the latent state
    (world, pairs), and the interventions, tickets, notes and renewals of its live accounts."""

    world: World
    pairs: Pairs
    interventions: list[Intervention]
    tickets: list[PlannedTicket]
    notes: list[PlannedNote]
    renewals: list[RenewalOutcome]


def draw_company(
    seed: int, accounts: int, window: Window, difficulty: str, catalog: str
) -> Company:
    """The draws ``simulate`` writes, in their order (the same seed gives the same company);
    nothing after an account's churn is kept. Benchmarks that read the planted state call it."""
    world = build_world(seed, accounts, window, CATALOGS[catalog])
    pairs = build_pairs(world, seed, difficulty)
    interventions = draw_interventions(world, pairs, seed)
    tickets, notes = plan_signals(world, pairs, seed, difficulty)
    renewals = draw_renewals(world, pairs, tickets, seed)
    settle_after_churn(world)

    def alive(account: int, day: int) -> bool:
        return day <= world.accounts[account].last_day(window)

    tickets = [t for t in tickets if alive(t.account, t.created // 86400)]
    notes = sorted(
        [n for n in notes if alive(n.account, n.created // 86400)] + _renewal_notes(renewals, seed),
        key=lambda n: (n.created, n.account, n.feature, n.kind),
    )
    interventions = [i for i in interventions if alive(i.account, i.day)]
    return Company(world, pairs, interventions, tickets, notes, renewals)


def simulate(
    out_dir: Path,
    accounts: int = parameters.PRESETS["demo"]["accounts"],
    months: int = parameters.PRESETS["demo"]["months"],
    seed: int = 7,
    difficulty: str = "standard",
    end_date: date | None = None,
    start_date: date | None = None,
    catalog: str = "analytics",
) -> SimulationSummary:
    """Write a simulated landing zone to ``out_dir``; the same arguments give the same bytes.

    The window is ``months`` long and ends on ``end_date`` (default: the preset end), or starts
    on ``start_date`` when that is given instead: real exports are historical, and a landing
    zone from years back must run like a recent one. ``catalog`` picks the product
    (``catalog.CATALOGS``): its features, events, plan names and use cases.
    """
    _validate(accounts, months, difficulty)
    if catalog not in CATALOGS:
        raise ValueError(f"catalog must be one of {sorted(CATALOGS)}, not {catalog!r}")
    if start_date is not None:
        if end_date is not None:
            raise ValueError("give start_date or end_date, not both")
        end_date = add_months(start_date, months) - timedelta(days=1)
    started = time.perf_counter()
    root = Path(out_dir)
    for source in SOURCES:  # only what a previous run wrote; anything else is left alone
        shutil.rmtree(root / source, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)

    window = make_window(end_date or parameters.DEFAULT_END_DATE, months)
    company = draw_company(seed, accounts, window, difficulty, catalog)
    world, pairs, interventions = company.world, company.pairs, company.interventions
    tickets, notes, renewals = company.tickets, company.notes, company.renewals

    messages = build_messages(world, pairs, seed)
    epoch_day = int(np.datetime64(window.start, "D").astype(np.int64))
    plan = plan_lines(messages, window.days, epoch_day, seed)
    mess = count_mess(plan, messages, epoch_day)

    rows: dict[str, int] = {}
    rows.update(write_catalog(root, world.catalog))
    event_files, redelivered = write_event_files(root, world, messages, plan, seed)
    crm_counts, bad_values, _, _ = write_crm(root, world, renewals, seed)
    rows.update(crm_counts)
    rows.update(write_support(root, world, tickets, seed, difficulty))
    rows.update(write_cs(root, world, notes, interventions, seed, difficulty))
    rows["product_event_lines"] = int(mess["lines"])

    mess_report: dict[str, object] = {
        "product_events": mess,
        "product_event_files": event_files,
        "redelivered_files": redelivered,
        "crm_bad_values": bad_values,
        "crm_bad_value_count": len(bad_values),
        "rates": parameters.MESS_RATES,
    }
    truth_paths = write_truth(root, world, pairs, renewals, interventions, mess_report)

    labels = [
        truth_label(pairs, p, world.accounts[int(pairs.account[p])].last_day(window))
        for p in range(len(pairs))
        if pairs.entitled_day[p] <= world.accounts[int(pairs.account[p])].last_day(window)
    ]
    closed = [r for r in renewals if r.is_closed]
    churned = sum(r.churned for r in closed)
    return SimulationSummary(
        out_dir=str(root),
        seed=seed,
        difficulty=difficulty,
        catalog=catalog,
        start_date=window.start.isoformat(),
        end_date=window.end.isoformat(),
        accounts=accounts,
        users=len(world.users.account),
        churned_accounts=sum(a.churn_day is not None for a in world.accounts),
        entitled_pairs=len(labels),
        truth_status=dict(sorted(Counter(status for status, _ in labels).items())),
        root_causes=dict(sorted(Counter(cause for _, cause in labels if cause).items())),
        renewals=len(renewals),
        closed_renewals=len(closed),
        churn_rate=round(churned / len(closed), 4) if closed else 0.0,
        interventions=len(interventions),
        events=int(mess["distinct_message_ids"]),
        files=_count_files(root),
        rows=rows,
        mess={
            "duplicate_message_ids": mess["duplicate_message_ids"],
            "late_events": mess["late_events"],
            "malformed_lines": mess["malformed_lines"],
            "redelivered_files": len(redelivered),
            "crm_bad_values": len(bad_values),
        },
        truth_paths=truth_paths,
        seconds=round(time.perf_counter() - started, 2),
    )

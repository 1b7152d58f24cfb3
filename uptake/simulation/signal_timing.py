"""When a pair's qualitative signals (tickets, notes) can happen, and which ones it sends.

Tickets and notes are planned before churn is drawn (ticket load feeds the churn model) and
rendered to text after it (nothing is written after an account churns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.adoption_states import NEVER, Pairs
from uptake.simulation.world import World

TICKET_SIGNALS = {
    "how_to_ticket": "how-to",
    "bug_ticket": "bug",
    "feature_request_ticket": "feature-request",
    "complaint_ticket": "complaint",
}
NOTE_SIGNALS = (
    "confused_note",
    "negative_note",
    "positive_note",
    "not_priority_note",
    "not_needed_note",
)


@dataclass(frozen=True)
class PlannedTicket:
    account: int
    feature: int  # -1: not about a feature
    intent: str
    created: int  # seconds since the start of day 0


@dataclass(frozen=True)
class PlannedNote:
    account: int
    feature: int  # -1: routine note about the account
    kind: str  # a NOTE_SIGNALS entry, a routine sentiment, or renewal_won / renewal_lost
    created: int


def signal_period(world: World, pairs: Pairs, pair: int) -> tuple[int, int] | None:
    """Days (inclusive) in which this pair's signals fall, or None if it has none to show."""
    days = world.window.days
    account = world.accounts[int(pairs.account[pair])]
    live = max(int(pairs.entitled_day[pair]), account.start_day, 0)
    cause = int(pairs.cause[pair])
    first, last = live, days - 1
    if cause in (parameters.TRAINING, parameters.PRODUCT_FIT) and pairs.trial_start[pair] < NEVER:
        first = max(live, int(pairs.trial_start[pair]))
        if pairs.trial_end[pair] < NEVER:
            last = min(last, int(pairs.trial_end[pair]) + 30)
    elif cause == parameters.ADOPTED and pairs.adopt_day[pair] < NEVER:
        first = max(live, int(pairs.adopt_day[pair]) - 14)
    return (first, last) if first <= last else None


def _seconds(rng: np.random.Generator, day: int, start: int, end: int) -> int:
    return day * 86400 + int(rng.integers(start * 3600, end * 3600))


def plan_signals(
    world: World, pairs: Pairs, seed: int, difficulty: str
) -> tuple[list[PlannedTicket], list[PlannedNote]]:
    rng = np.random.default_rng([seed, 4])
    rates = parameters.SIGNAL_RATES[difficulty]
    tickets: list[PlannedTicket] = []
    notes: list[PlannedNote] = []
    for pair in range(len(pairs)):
        period = signal_period(world, pairs, pair)
        cause_rates = rates[parameters.CAUSES[int(pairs.cause[pair])]]
        account = int(pairs.account[pair])
        feature = int(pairs.feature[pair])
        for signal, intent in TICKET_SIGNALS.items():
            if rng.random() >= cause_rates[signal] or period is None:
                continue
            for _ in range(1 + int(rng.poisson(0.4))):
                day = int(rng.integers(period[0], period[1] + 1))
                tickets.append(PlannedTicket(account, feature, intent, _seconds(rng, day, 7, 22)))
        for signal in NOTE_SIGNALS:
            if rng.random() >= cause_rates[signal] or period is None:
                continue
            day = int(rng.integers(period[0], period[1] + 1))
            notes.append(PlannedNote(account, feature, signal, _seconds(rng, day, 13, 23)))

    days = world.window.days
    intents = ("how-to", "bug", "complaint")
    for account in world.accounts:
        live = max(account.start_day, 0)
        months = (days - live) / 30.0
        rate = parameters.GENERAL_TICKETS_PER_MONTH * np.exp(-0.3 * account.health) * months
        for _ in range(int(rng.poisson(rate))):
            day = int(rng.integers(live, days))
            intent = intents[int(rng.choice(3, p=(0.5, 0.25, 0.25)))]
            tickets.append(PlannedTicket(account.index, -1, intent, _seconds(rng, day, 7, 22)))
        for _ in range(int(rng.poisson(parameters.ROUTINE_NOTES_PER_MONTH * months))):
            day = int(rng.integers(live, days))
            mood = world.engagement[account.index, day] * np.exp(0.4 * account.health)
            noisy = mood * rng.lognormal(0.0, 0.35)
            sentiment = "positive" if noisy > 1.3 else "negative" if noisy < 0.7 else "neutral"
            notes.append(PlannedNote(account.index, -1, sentiment, _seconds(rng, day, 13, 23)))
    tickets.sort(key=lambda t: (t.created, t.account, t.feature, t.intent))
    notes.sort(key=lambda n: (n.created, n.account, n.feature, n.kind))
    return tickets, notes

"""The customer base: accounts, contracts, CSM owners, users and how busy each account is.

Days are integers relative to the first simulated day (day 0); negative days lie before the
window (contracts signed earlier). Everything here is drawn before any behaviour, so the same
seed gives the same customers at every difficulty.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.catalog import ANALYTICS, TIERS, Catalog

INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
)
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "NL", "SE", "IN", "BR")
COUNTRY_WEIGHTS = (0.45, 0.12, 0.1, 0.06, 0.07, 0.05, 0.05, 0.03, 0.04, 0.03)
_NAME_HEADS = (
    "Acme", "Northwind", "Blue Harbor", "Cedar", "Summit", "Redwood", "Lumen", "Atlas", "Vertex",
    "Harbor", "Silver Oak", "Brightline", "Ironclad", "Meridian", "Keystone", "Pioneer",
    "Evergreen",
    "Granite", "Nimbus", "Orion", "Polaris", "Quantum", "Riverbend", "Sable", "Tidewater",
    "Unity", "Vantage", "Willow", "Zenith", "Apex", "Beacon", "Crescent", "Delta", "Ember",
    "Falcon", "Golden Gate", "Horizon", "Juniper", "Kestrel", "Lighthouse",
)  # fmt: skip
_NAME_CORES = (
    "Logistics", "Health", "Analytics", "Foods", "Capital", "Robotics", "Learning", "Media",
    "Energy", "Retail", "Labs", "Freight", "Insurance", "Systems", "Biotech", "Outdoor",
    "Apparel", "Finance", "Networks", "Studios", "Motors", "Pharma", "Telecom", "Travel",
)  # fmt: skip
_NAME_TAILS = ("Inc", "Ltd", "GmbH", "Group", "Co", "LLC", "Corp", "AG")
FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
    "Priya", "Wei", "Lena", "Marco", "Sofia", "Noah", "Emma", "Liam", "Olivia", "Mateo",
    "Aisha", "Kenji", "Ingrid", "Tomas", "Chloe", "Ravi", "Elena", "Hugo", "Maya", "Omar",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Chen", "Müller", "Martin", "Rossi", "Kowalski", "Patel", "Nguyen",
    "Johnson", "Silva", "Schmidt", "Dubois", "Okafor", "Larsen", "Tanaka", "Brown", "Novak",
    "Khan", "Lopez", "Walker", "Moreau", "Fischer", "Reyes", "Singh", "Berg", "Costa", "Ward",
)  # fmt: skip
ROLES = ("admin", "member", "member", "member", "viewer")


def add_months(day: date, months: int) -> date:
    """Same day of month ``months`` later (or earlier), clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day(self, when: date) -> int:
        return (when - self.start).days

    def date(self, day: int) -> date:
        return self.start + timedelta(days=int(day))


def make_window(end: date, months: int) -> Window:
    return Window(start=add_months(end, -months) + timedelta(days=1), end=end)


@dataclass
class Account:
    index: int
    account_id: str
    name: str
    domain: str
    industry: str
    employees: int
    country: str
    use_case: int
    created_day: int
    start_day: int  # first contract start; tenure counts from here
    term_months: int
    plan: str  # plan tier at contract start (catalog.TIERS; the catalog names it)
    seats: int
    discount: float
    health: float
    owners: list[tuple[int, str]]  # (from day, CSM) in time order
    upgrade_day: int | None
    seat_expansion: tuple[int, float] | None  # (day, factor)
    lost_expansion_day: int | None
    open_expansion: tuple[int, int] | None  # (created day, close day) still open at the end
    renewal_days: list[int]  # contract anniversaries on or after day 0, in order
    term_start_day: int  # start of the term running on day 0 (or the contract start)
    users: slice
    churn_day: int | None = None
    downgrades: dict[int, float] = field(default_factory=dict)  # renewal day -> seat factor

    def owner_on(self, day: int) -> str:
        owner = self.owners[0][1]
        for since, name in self.owners:
            if since <= day:
                owner = name
        return owner

    def plan_on(self, day: int) -> str:
        if self.upgrade_day is not None and day >= self.upgrade_day:
            return TIERS[TIERS.index(self.plan) + 1]
        return self.plan

    def seats_on(self, day: int) -> int:
        seats = float(self.seats)
        if self.seat_expansion is not None and day >= self.seat_expansion[0]:
            seats *= self.seat_expansion[1]
        for renewal_day, factor in self.downgrades.items():
            if day >= renewal_day:
                seats *= factor
        return max(1, round(seats))

    def last_day(self, window: Window) -> int:
        """Last day with activity: the churn date, or the end of the window."""
        return window.days - 1 if self.churn_day is None else self.churn_day


@dataclass
class Users:
    """One row per user, all accounts together (index = global user number)."""

    account: np.ndarray  # int32
    join_day: np.ndarray  # int32, first day the user can be active
    leave_day: np.ndarray  # int32, first day the user is gone
    weight: np.ndarray  # float64, how busy the user is
    first_name: np.ndarray  # int16 into FIRST_NAMES
    last_name: np.ndarray
    role: np.ndarray  # int8 into ROLES


@dataclass
class World:
    window: Window
    accounts: list[Account]
    users: Users
    engagement: np.ndarray  # accounts x days multiplier on all usage
    csm_count: int
    catalog: Catalog = ANALYTICS


def _company_names(rng: np.random.Generator, count: int) -> list[str]:
    space = len(_NAME_HEADS) * len(_NAME_CORES) * len(_NAME_TAILS)
    picks = rng.choice(space, size=count, replace=count > space)
    names: list[str] = []
    seen: set[str] = set()
    for number, pick in enumerate(picks):
        head, rest = divmod(int(pick), len(_NAME_CORES) * len(_NAME_TAILS))
        core, tail = divmod(rest, len(_NAME_TAILS))
        name = f"{_NAME_HEADS[head]} {_NAME_CORES[core]} {_NAME_TAILS[tail]}"
        if name in seen:
            name = f"{name} {number}"
        seen.add(name)
        names.append(name)
    return names


def _domain(name: str) -> str:
    words = name.lower().replace(" ", "")
    return "".join(char for char in words if char.isalnum() and char.isascii()) + ".com"


def _engagement(rng: np.random.Generator, health: float, days: int) -> np.ndarray:
    """Account-wide usage multiplier: a drift plus, for some accounts, a decline episode."""
    t = np.arange(days, dtype=np.float64)
    slope = rng.normal(0.15 * health, 0.3)  # per year, on the log scale
    curve = np.exp(slope * t / 365.0)
    decline_p = 1.0 / (1.0 + np.exp(-(parameters.DECLINE_BASE_LOGIT - 0.8 * health)))
    if rng.random() < decline_p:
        begin = rng.uniform(0.2, 0.95) * days
        length = rng.uniform(30, 90)
        floor = rng.uniform(0.25, 0.6)
        progress = np.clip((t - begin) / length, 0.0, 1.0)
        curve *= 1.0 - (1.0 - floor) * progress
    return np.clip(curve, 0.15, 2.5)


def build_world(seed: int, accounts: int, window: Window, catalog: Catalog = ANALYTICS) -> World:
    rng = np.random.default_rng([seed, 1])
    days = window.days
    health = rng.normal(0.0, 1.0, accounts)
    industries = rng.choice(len(INDUSTRIES), size=accounts)
    countries = rng.choice(len(COUNTRIES), size=accounts, p=COUNTRY_WEIGHTS)
    use_cases = rng.choice(len(catalog.use_cases), size=accounts, p=catalog.use_case_weights)
    employees = np.clip(np.round(rng.lognormal(np.log(250), 1.3, accounts)), 8, 60000).astype(int)
    size_score = np.log10(employees) + rng.normal(0.0, 0.4, accounts)
    plan_index = np.digitize(size_score, [2.1, 3.0])
    names = _company_names(rng, accounts)
    csm_count = max(3, int(np.ceil(accounts / parameters.ACCOUNTS_PER_CSM)))

    result: list[Account] = []
    user_counts: list[int] = []
    for index in range(accounts):
        plan = TIERS[int(plan_index[index])]
        low, high = parameters.SEAT_RANGE[plan]
        seats = int(np.clip(round(employees[index] * rng.uniform(0.02, 0.15)), low, high))
        term = 6 if rng.random() < parameters.SEMIANNUAL_TERM_SHARE[plan] else 12
        if rng.random() < parameters.NEW_ACCOUNT_SHARE:
            start_day = int(rng.integers(0, days))
        else:
            start_day = -int(rng.integers(1, parameters.MAX_TENURE_DAYS_AT_START))
        start = window.date(start_day)
        created_day = start_day - int(rng.integers(10, 150))
        # Contract anniversaries from the start; keep the term running on day 0 and later ones.
        anniversaries = [start_day]
        step = 1
        while anniversaries[-1] < days + 400:
            anniversaries.append(window.day(add_months(start, step * term)))
            step += 1
        term_start = max(day for day in anniversaries if day <= max(start_day, 0))
        renewals = [day for day in anniversaries if day > max(start_day, 0) and day > term_start]
        owner = f"csm-{int(rng.integers(1, csm_count + 1))}"
        owners = [(created_day, owner)]
        first_live = max(start_day, 0)
        if rng.random() < parameters.OWNER_CHANGE_SHARE and first_live + 30 < days - 10:
            other = f"csm-{int(rng.integers(1, csm_count + 1))}"
            if other != owner:
                owners.append((int(rng.integers(first_live + 30, days - 10)), other))

        def mid_window_day(margin: int = 30, first: int = first_live) -> int | None:
            if first + margin >= days - 10:
                return None
            return int(rng.integers(first + margin, days - 10))

        upgrade_day = None
        if plan != "enterprise" and rng.random() < parameters.UPGRADE_SHARE:
            upgrade_day = mid_window_day()
        seat_expansion = None
        if upgrade_day is None and rng.random() < parameters.SEAT_EXPANSION_SHARE:
            when = mid_window_day()
            seat_expansion = None if when is None else (when, float(rng.uniform(1.15, 1.5)))
        lost_expansion_day = None
        if rng.random() < parameters.LOST_EXPANSION_SHARE:
            lost_expansion_day = mid_window_day()
        open_expansion = None
        if rng.random() < parameters.OPEN_EXPANSION_SHARE and first_live < days - 45:
            open_expansion = (days - int(rng.integers(5, 40)), days + int(rng.integers(10, 60)))

        utilization = float(np.clip(rng.beta(3, 5) + 0.12 * np.tanh(health[index]), 0.08, 0.98))
        user_counts.append(
            int(np.clip(round(seats * utilization), 1, parameters.MAX_USERS_PER_ACCOUNT))
        )
        result.append(
            Account(
                index=index,
                account_id=f"001A{index:06d}",
                name=names[index],
                domain=_domain(names[index]),
                industry=INDUSTRIES[int(industries[index])],
                employees=int(employees[index]),
                country=COUNTRIES[int(countries[index])],
                use_case=int(use_cases[index]),
                created_day=created_day,
                start_day=start_day,
                term_months=term,
                plan=plan,
                seats=seats,
                discount=float(rng.uniform(0.8, 1.0)),
                health=float(health[index]),
                owners=owners,
                upgrade_day=upgrade_day,
                seat_expansion=seat_expansion,
                lost_expansion_day=lost_expansion_day,
                open_expansion=open_expansion,
                renewal_days=renewals,
                term_start_day=term_start,
                users=slice(0, 0),
            )
        )

    users = _build_users(rng, result, user_counts, days)
    engagement = np.vstack([_engagement(rng, account.health, days) for account in result])
    return World(window, result, users, engagement, csm_count, catalog)


def _build_users(
    rng: np.random.Generator, accounts: list[Account], counts: list[int], days: int
) -> Users:
    total = int(sum(counts))
    owner = np.repeat(np.arange(len(accounts), dtype=np.int32), counts)
    join = np.empty(total, dtype=np.int32)
    position = 0
    for account, count in zip(accounts, counts, strict=True):
        account.users = slice(position, position + count)
        if account.start_day >= 0:
            # A new customer onboards its users over the first weeks; the first one at once.
            ramp = rng.exponential(15.0, count)
            ramp[0] = 0.0
            join[position : position + count] = account.start_day + np.round(ramp).astype(int)
        else:
            hired = rng.random(count) < 0.15
            join[position : position + count] = np.where(hired, rng.integers(0, days, count), -1)
        position += count
    leave = np.full(total, days + 1, dtype=np.int32)
    leaving = rng.random(total) < parameters.USER_LEAVE_SHARE
    leave[leaving] = join[leaving] + 1 + rng.integers(14, max(15, days), int(leaving.sum()))
    return Users(
        account=owner,
        join_day=join,
        leave_day=leave,
        weight=rng.gamma(4.0, 0.25, total),
        first_name=rng.integers(0, len(FIRST_NAMES), total).astype(np.int16),
        last_name=rng.integers(0, len(LAST_NAMES), total).astype(np.int16),
        role=rng.choice(len(ROLES), size=total).astype(np.int8),
    )

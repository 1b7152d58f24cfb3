"""Small hand-written landing zones for the worked examples (docs/scoring.md, "Worked examples").

Each zone is written to the data contract (docs/contract.md section 1) from a few lines of
description: accounts with their contract, how many users use each feature how often, and the
tickets, notes and interventions around them. Usage is laid out in 30-day windows ending on the
as-of date, the same windows the marts measure, so "12 active users" in a description is 12
active users in ``marts.account_adoption``.

Nothing here knows what the pipeline should conclude: the tests read the scored tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from uptake.simulation.writers import write_csv, write_jsonl

WINDOW_DAYS = 30


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    category: str  # core | advanced | premium
    events: tuple[str, ...]
    active_min_events_30d: int
    expected_days_to_adopt: int
    value_weight: float


@dataclass(frozen=True)
class Use:
    """``users`` users each send ``per_user`` events of ``feature`` in every 30-day window of the
    account's tenure (``windows`` limits it to the latest windows; ``scale`` per window, latest
    first, lets usage rise or fall)."""

    feature: str
    users: int
    per_user: int
    windows: int | None = None
    scale: tuple[float, ...] = ()


@dataclass(frozen=True)
class Ticket:
    feature: str | None
    intent: str  # how-to | bug | feature-request | complaint (the ticket's tag)
    subject: str
    description: str
    days_ago: int


@dataclass(frozen=True)
class Note:
    body: str
    days_ago: int


@dataclass(frozen=True)
class Intervention:
    feature: str
    kind: str
    days_ago: int


@dataclass
class Account:
    account_id: str
    name: str
    industry: str
    employees: int
    use_case: str
    plan: str
    seats: int
    arr: float
    start: date
    end: date
    owner: str = "csm-1"
    # Users signing in on this many days a week (the account's active users).
    active_users: int = 0
    logins_per_week: float = 2.0
    login_scale: tuple[float, ...] = ()  # per 30-day window, latest first
    uses: list[Use] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    renewals: list[tuple[str, date, str, str]] = field(default_factory=list)  # id, day, type, stage


@dataclass
class Zone:
    as_of: date
    features: Sequence[Feature]
    plans: dict[str, tuple[str, ...]]
    accounts: list[Account]
    complexity: str = "moderate"


def _stamp(day: date, minute: int) -> str:
    moment = datetime.combine(day, time(9, 0)) + timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    if rows:  # an empty delivery is quarantined as such: deliver nothing instead
        write_csv(path, header, rows)


def _write_jsonl(path: Path, records: Sequence[dict]) -> None:
    if records:  # an empty delivery is quarantined as such: deliver nothing instead
        write_jsonl(path, records)


def _spread(count: int, first: date, days: int) -> list[date]:
    """``count`` days spread evenly over ``days`` days from ``first``."""
    return [first + timedelta(days=(i * days) // max(count, 1)) for i in range(count)]


def _windows(account: Account, as_of: date) -> list[tuple[int, date]]:
    """(index, first day) of each 30-day window ending on as_of, latest first, within tenure."""
    windows = []
    index = 0
    while True:
        first = as_of - timedelta(days=WINDOW_DAYS * (index + 1) - 1)
        if first + timedelta(days=WINDOW_DAYS - 1) < account.start:
            return windows
        windows.append((index, max(first, account.start)))
        index += 1


def _scaled(count: float, scale: tuple[float, ...], index: int) -> int:
    factor = scale[index] if index < len(scale) else (scale[-1] if scale else 1.0)
    return round(count * factor)


def _events(zone: Zone, account: Account) -> dict[date, list[dict]]:
    by_feature = {f.key: f for f in zone.features}
    per_day: dict[date, list[dict]] = defaultdict(list)
    group = account.account_id

    def track(user: str, day: date, event: str, minute: int, source: int = 0) -> None:
        per_day[day].append(
            {
                "type": "track",
                "messageId": f"m-{group}-{source}-{user}-{day:%Y%m%d}-{minute}-{event}",
                "timestamp": _stamp(day, minute),
                "userId": f"{group}-u{user}",
                "event": event,
                "properties": {},
                "context": {"groupId": group},
            }
        )

    for index, first in _windows(account, zone.as_of):
        days = (zone.as_of - first).days + 1 - WINDOW_DAYS * index
        logins = _scaled(account.logins_per_week * WINDOW_DAYS / 7, account.login_scale, index)
        for user in range(account.active_users):
            for n, day in enumerate(_spread(logins, first, days)):
                track(str(user), day, "Signed In", n)
        for source, use in enumerate(account.uses, start=1):
            if use.windows is not None and index >= use.windows:
                continue
            events = by_feature[use.feature].events
            per_user = _scaled(use.per_user, use.scale, index)
            for user in range(use.users):
                for n, day in enumerate(_spread(per_user, first, days)):
                    track(str(user), day, events[n % len(events)], 100 + n, source)
    return per_day


def write_zone(zone: Zone, root: Path) -> Path:
    """Write ``zone`` under ``root`` (catalog/, product_events/, crm/, support/, cs/)."""
    catalog = root / "catalog"
    _write_csv(
        catalog / "features.csv",
        [
            "feature_key",
            "feature_name",
            "category",
            "events",
            "active_min_events_30d",
            "expected_days_to_adopt",
            "value_weight",
        ],
        [
            (
                f.key,
                f.name,
                f.category,
                "|".join(f.events),
                f.active_min_events_30d,
                f.expected_days_to_adopt,
                f.value_weight,
            )
            for f in zone.features
        ],
    )
    _write_csv(
        catalog / "plan_features.csv",
        ["plan", "feature_key"],
        [(plan, key) for plan, keys in zone.plans.items() for key in keys],
    )
    _write_csv(catalog / "product.csv", ["key", "value"], [("complexity", zone.complexity)])

    # Events are delivered on the day they happen.
    deliveries: dict[date, list[dict]] = defaultdict(list)
    for account in zone.accounts:
        for day, records in _events(zone, account).items():
            deliveries[day].extend(records)
    for day, records in sorted(deliveries.items()):
        _write_jsonl(root / "product_events" / f"dt={day}" / "events-000.jsonl", records)

    # One CRM snapshot on the as-of date: each account's current subscription and renewals.
    crm = root / "crm" / f"dt={zone.as_of}"
    _write_csv(
        crm / "accounts.csv",
        [
            "Id",
            "Name",
            "Industry",
            "NumberOfEmployees",
            "BillingCountry",
            "OwnerId",
            "Primary_Use_Case__c",
            "CreatedDate",
        ],
        [
            (a.account_id, a.name, a.industry, a.employees, "US", a.owner, a.use_case, a.start)
            for a in zone.accounts
        ],
    )
    _write_csv(
        crm / "subscriptions.csv",
        ["Id", "AccountId", "Plan__c", "Seats__c", "ARR__c", "StartDate", "EndDate", "Status"],
        [
            (f"sub-{a.account_id}", a.account_id, a.plan, a.seats, a.arr, a.start, a.end, "Active")
            for a in zone.accounts
        ],
    )
    _write_csv(
        crm / "renewals.csv",
        ["Id", "AccountId", "CloseDate", "Type", "StageName", "Amount"],
        [
            (renewal_id, a.account_id, day, kind, stage, a.arr)
            for a in zone.accounts
            for renewal_id, day, kind, stage in (
                a.renewals or [(f"opp-{a.account_id}", a.end, "Renewal", "Qualification")]
            )
        ],
    )

    support = root / "support" / f"dt={zone.as_of}"
    organizations = [
        {"id": 9000 + i, "external_id": a.account_id, "name": a.name}
        for i, a in enumerate(zone.accounts)
    ]
    tickets = []
    for i, account in enumerate(zone.accounts):
        for ticket in account.tickets:
            created = _stamp(zone.as_of - timedelta(days=ticket.days_ago), len(tickets))
            tags = [ticket.intent, *([ticket.feature] if ticket.feature else [])]
            tickets.append(
                {
                    "id": 1000 + len(tickets),
                    "organization_id": 9000 + i,
                    "requester_id": 500 + i,
                    "subject": ticket.subject,
                    "description": ticket.description,
                    "status": "open",
                    "priority": "normal",
                    "type": "question" if ticket.intent == "how-to" else "problem",
                    "tags": tags,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    _write_jsonl(support / "organizations.jsonl", organizations)
    _write_jsonl(support / "tickets.jsonl", tickets)

    cs = root / "cs" / f"dt={zone.as_of}"
    notes = [
        {
            "id": f"n-{a.account_id}-{n}",
            "account_id": a.account_id,
            "author": a.owner,
            "created_at": _stamp(zone.as_of - timedelta(days=note.days_ago), n),
            "channel": "call",
            "body": note.body,
        }
        for a in zone.accounts
        for n, note in enumerate(a.notes)
    ]
    _write_jsonl(cs / "notes.jsonl", notes)
    _write_csv(
        cs / "interventions.csv",
        ["intervention_id", "account_id", "feature_key", "type", "owner", "started_at"],
        [
            (
                f"iv-{a.account_id}-{n}",
                a.account_id,
                item.feature,
                item.kind,
                a.owner,
                _stamp(zone.as_of - timedelta(days=item.days_ago), n),
            )
            for a in zone.accounts
            for n, item in enumerate(a.interventions)
        ],
    )
    return root


# --- the onboarding worked example: one account's top three gaps -------------------------------
# Acme Corp, a SaaS company on the Enterprise tier for six months: 45 seats, 32 active users, a
# sales-team collaboration use case. In the last 30 days: 450 document-collaboration sessions,
# 89 comments, 34 @mentions, 2 advanced-report views, no Salesforce sync, no workflow, the mobile
# app opened by 3 users. Its comparable accounts (SaaS, 40-50 seats, Enterprise, same use case)
# use the integration (85 % of them), workflows and the mobile app, and view a dozen reports a
# month.
ACME_AS_OF = date(2026, 10, 31)
SALES_COLLABORATION = "Sales team collaboration"

COLLABORATION_FEATURES = (
    Feature("document_collaboration", "Document Collaboration", "core",
            ("Document Edited", "Document Shared"), 4, 14, 3.0),
    Feature("comments", "Comments", "core", ("Comment Added",), 3, 30, 2.0),
    Feature("mentions", "@Mentions", "core", ("User Mentioned",), 2, 30, 1.0),
    Feature("salesforce_integration", "Salesforce Integration", "advanced",
            ("Salesforce Sync Completed", "Salesforce Field Mapped"), 3, 45, 4.0),
    Feature("advanced_reporting", "Advanced Reporting", "advanced", ("Report Viewed",), 2, 45, 3.0),
    Feature("workflow_automation", "Workflow Automation", "advanced",
            ("Workflow Created", "Workflow Run"), 3, 60, 4.0),
    # Regular use of a mobile app is a weekly session: opened once or twice a month is a try.
    Feature("mobile_app", "Mobile App", "advanced", ("Mobile Session Started",), 4, 30, 2.0),
)  # fmt: skip
COLLABORATION_PLANS = {
    "team": ("document_collaboration", "comments", "mentions"),
    "enterprise": tuple(f.key for f in COLLABORATION_FEATURES),
}


def acme_zone() -> Zone:
    acme = Account(
        "001ACME", "Acme Corp", "SaaS", 120, SALES_COLLABORATION, "enterprise", 45, 40_500.0,
        start=ACME_AS_OF - timedelta(days=183), end=ACME_AS_OF + timedelta(days=182),
        active_users=32, logins_per_week=4,
        uses=[
            Use("document_collaboration", 30, 15),  # 450 sessions
            Use("comments", 9, 9), Use("comments", 1, 8),  # 89 comments
            Use("mentions", 17, 2),  # 34 @mentions
            Use("advanced_reporting", 1, 2),  # 2 report views
            Use("mobile_app", 3, 1, windows=1),  # 3 users opened the app once this month
        ],
    )  # fmt: skip
    peers = []
    for i in range(20):
        uses = [
            Use("document_collaboration", 25, 15),
            Use("comments", 12, 8),
            Use("mentions", 12, 3),
            Use("advanced_reporting", 3, 4),  # 12 report views a month
            Use("mobile_app", 11, 6),  # about 35 % of the users
        ]
        if i < 17:  # 85 % use the Salesforce integration
            uses.append(Use("salesforce_integration", 10, 8))
        if i < 14:  # most run a few workflows
            uses.append(Use("workflow_automation", 4, 6))
        peers.append(
            Account(
                f"001P{i:03d}", f"Peer {i:02d}", "SaaS", 110 + i, SALES_COLLABORATION, "enterprise",
                40 + i % 11, 900.0 * (40 + i % 11),
                start=ACME_AS_OF - timedelta(days=270 + 20 * i),
                end=ACME_AS_OF + timedelta(days=95 + 10 * i),
                owner="csm-2", active_users=32, logins_per_week=4, uses=uses,
            )
        )  # fmt: skip
    return Zone(ACME_AS_OF, COLLABORATION_FEATURES, COLLABORATION_PLANS, [acme, *peers])


# --- the scoring worked example: four accounts to rank ---------------------------------------
# A: 50 employees, 6 months in, 12 active users (24 % of licenses), signs in twice a week, 3 of
#    8 core features, onboarded but no advanced training.
# B: 200 employees, 18 months in, 145 active users (72 %), four sign-ins a week, 7 of 8 core
#    features, 3 certified power users, renewal in 90 days.
# C: 30 employees, 3 months in, 28 active users (93 %), five sign-ins a week, 4 of 8 core
#    features, heavy support ticket volume, no executive engagement.
# D: 150 employees, 12 months in, 45 active users (30 %), signs in once a week, 2 of 8 core
#    features, usage declining over the last 60 days.
FOUR_AS_OF = date(2026, 10, 31)
CORE_FEATURES = tuple(
    Feature(key, key.replace("_", " ").title(), "core", (f"{key.title()} Used",), 4, 30, 2.0)
    for key in (
        "projects", "tasks", "files", "calendar", "dashboards", "reports", "time_tracking",
        "goals",
    )
)  # fmt: skip
PRICE_PER_SEAT = 600.0


def _core(count: int, users: int, per_user: int, scale: tuple[float, ...] = ()) -> list[Use]:
    return [Use(f.key, users, per_user, scale=scale) for f in CORE_FEATURES[:count]]


def four_accounts_zone() -> Zone:
    day = FOUR_AS_OF
    a = Account(
        "001A", "Account A", "Software", 50, "Project delivery", "business", 50,
        50 * PRICE_PER_SEAT, start=day - timedelta(days=182), end=day + timedelta(days=183),
        active_users=12, logins_per_week=2, uses=_core(3, 8, 6),
        interventions=[Intervention("projects", "technical_onboarding", 170)],  # onboarded
    )  # fmt: skip
    b = Account(
        "001B", "Account B", "Software", 200, "Project delivery", "business", 200,
        200 * PRICE_PER_SEAT, start=day - timedelta(days=548), end=day + timedelta(days=90),
        active_users=145, logins_per_week=4, uses=_core(7, 100, 8),
        interventions=[Intervention("dashboards", "training", 300)],  # power users certified
    )  # fmt: skip
    # Heavy support: how-to questions on the features it uses and on the two it is trying.
    questions = [
        Ticket(key, "how-to", f"How do we {verb}?", f"Our team cannot work out how to {verb}.", d)
        for key, verb, d in (
            ("dashboards", "share a dashboard with a client", 5),
            ("dashboards", "filter a dashboard by project", 12),
            ("reports", "export a report to PDF", 8),
            ("reports", "schedule a weekly report", 19),
            ("tasks", "assign a task to two people", 3),
            ("tasks", "move tasks between projects", 26),
            ("calendar", "sync the calendar with Outlook", 15),
            ("files", "restore a deleted file", 33),
            ("dashboards", "add a chart to a dashboard", 41),
            ("reports", "group a report by client", 52),
        )
    ]  # fmt: skip
    c = Account(
        "001C", "Account C", "Software", 30, "Project delivery", "business", 30,
        30 * PRICE_PER_SEAT, start=day - timedelta(days=91), end=day + timedelta(days=274),
        active_users=28, logins_per_week=5,
        uses=[*_core(4, 20, 8), Use("dashboards", 2, 1), Use("reports", 2, 1)],
        tickets=questions,
        notes=[Note("Still no executive sponsor on our calls; the admin asks everything.", 20)],
    )  # fmt: skip
    declining = (0.4, 0.7, 1.0)  # the last 30 days, the 30 before, earlier
    d = Account(
        "001D", "Account D", "Software", 150, "Project delivery", "business", 150,
        150 * PRICE_PER_SEAT, start=day - timedelta(days=360), end=day + timedelta(days=5),
        active_users=45, logins_per_week=1, login_scale=(1.0,),
        uses=_core(2, 30, 12, scale=declining),
    )  # fmt: skip
    plans = {"business": tuple(f.key for f in CORE_FEATURES)}
    return Zone(FOUR_AS_OF, CORE_FEATURES, plans, [a, b, c, d])

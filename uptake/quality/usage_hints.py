"""Why the marts came out empty, in words a data engineer can act on.

No usage at all, or no active customer, fails the quality gate (an empty
`marts.fct_feature_usage_daily` or `marts.cohort_benchmarks`, no entitled pair ever used), but
the gate only sees the marts. The usual causes on a new landing zone are a catalog whose
`events` name none of the track events, track events whose account (`context.groupId` or the
user's group call) is no CRM account id, and a CRM export whose subscriptions carry no `Active`
status. This reads the staging and intermediate relations dbt built and names the cause with
examples from both sides.

When the gate passes, ``gate_notes`` still says what a run accepted but cannot use well: track
events of no account, or attributed through users grouped into several accounts; usage of
accounts the CRM lacks; active customers without any event; customers on plans the catalog
does not list; support tickets of no account.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRACKS = "staging.stg_segment__tracks"
ATTRIBUTED = "intermediate.int_track_events_attributed"
CATALOG_EVENTS = "intermediate.int_catalog_events_split"
FEATURES = "staging.stg_catalog__features"
ACCOUNTS = "staging.stg_crm__accounts"
SUBSCRIPTIONS = "staging.stg_crm__subscriptions"
CURRENT_ACCOUNTS = "marts.dim_accounts"
USAGE = "marts.fct_feature_usage_daily"
ACTIVITY = "intermediate.int_user_activity_daily"
TICKETS = "ml_inputs.fct_support_tickets"
PLAN_FEATURES = "staging.stg_catalog__plan_features"
GROUP_CALLS = "staging.stg_segment__groups"
EXAMPLES = 5


def _count(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _quoted(values: Iterable[Any]) -> str:
    return ", ".join(repr(str(value)) for value in values) or "none"


def _examples(con: Any, sql: str) -> str:
    return _quoted(row[0] for row in con.execute(sql).fetchall())


def _catalog_quarantine(con: Any) -> str:
    """``: quarantined at load: <reason> (<n> rows), ...`` for the catalog's features, or ''."""
    try:
        rows = con.execute(
            "select reason, count(*) from raw.quarantine where source = 'catalog' "
            f"and entity = 'features' group by reason order by 2 desc, 1 limit {EXAMPLES}"
        ).fetchall()
    except Exception:  # no quarantine table: nothing to add
        return ""
    reasons = ", ".join(f"{reason} ({count} rows)" for reason, count in rows)
    return f": quarantined at load: {reasons}" if reasons else ""


def why_no_usage(con: Any) -> str | None:
    """The reason no track event counted as using a feature, or None when some did (or the
    relations it reads are missing: then dbt's own failure is the message)."""
    try:
        tracks = _count(con, f"select count(*) from {TRACKS}")
        if tracks == 0:
            return (
                "no track event was loaded: product_events/dt=*/ holds no valid track message "
                "(see the quarantine in the run report)"
            )
        if not _count(con, f"select count(*) from {FEATURES}"):
            return f"no feature of catalog/features.csv was loaded{_catalog_quarantine(con)}"
        named = _count(
            con,
            f"select count(*) from {TRACKS} where lower(trim(event_name)) in "
            f"(select event_name from {CATALOG_EVENTS})",
        )
        if named == 0:
            seen = _examples(
                con,
                f"select event_name from {TRACKS} group by event_name "
                f"order by count(*) desc, event_name limit {EXAMPLES}",
            )
            listed = _examples(
                con,
                f"select event_name from {CATALOG_EVENTS} order by event_name limit {EXAMPLES}",
            )
            return (
                f"none of the {tracks} track events is named in catalog/features.csv `events`: "
                f"the most frequent names are {seen}; the catalog lists {listed}"
            )
        if not _count(
            con,
            f"select count(*) from {ATTRIBUTED} where account_id in "
            f"(select account_id from {ACCOUNTS})",
        ):
            groups = _examples(
                con,
                f"select context_group_id from {TRACKS} where context_group_id is not null "
                f"group by context_group_id order by count(*) desc, context_group_id "
                f"limit {EXAMPLES}",
            )
            accounts = _examples(
                con,
                f"select distinct account_id from {ACCOUNTS} order by account_id limit {EXAMPLES}",
            )
            return (
                f"none of the {tracks} track events belongs to a CRM account: their groupIds "
                f"are {groups}; crm accounts.csv Ids are {accounts}"
            )
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    return None


def why_no_active_customer(con: Any) -> str | None:
    """The reason no account is an active customer (nothing to score), or None when one is
    (or the relations are missing)."""
    try:
        if _count(con, f"select count(*) from {CURRENT_ACCOUNTS} where is_active_customer"):
            return None
        latest = f"(select max(snapshot_date) from {SUBSCRIPTIONS})"
        rows = _count(con, f"select count(*) from {SUBSCRIPTIONS} where snapshot_date = {latest}")
        if rows == 0:
            return (
                "no account is an active customer: no subscription was loaded "
                "(crm/dt=*/subscriptions.csv; see the quarantine in the run report)"
            )
        statuses = ", ".join(
            f"{'empty' if status is None else repr(status)} ({count})"
            for status, count in con.execute(
                f"select subscription_status, count(*) from {SUBSCRIPTIONS} "
                f"where snapshot_date = {latest} group by 1 order by 2 desc, 1 limit {EXAMPLES}"
            ).fetchall()
        )
        return (
            f"no account is an active customer: none of the {rows} subscriptions of the latest "
            f"CRM snapshot has Status 'Active'; their statuses: {statuses}"
        )
    except Exception:  # a missing relation: dbt's own failure already says why
        return None


def accounts_missing_from_crm(con: Any) -> str | None:
    """A note when product usage belongs to accounts no CRM snapshot holds, or None.

    Such usage reaches no mart that a CSM reads: the account is not scored at all. The usual
    causes are CRM rows quarantined at load (a name that is not UTF-8, an id the export
    mangled) and trial or internal workspaces the CRM never had. The gate passes (other
    accounts are sound); this says how much is left out, with examples to look up.
    """
    try:
        missing = con.execute(
            f"select account_id, count(*) from {USAGE} "
            f"where account_id not in (select account_id from {CURRENT_ACCOUNTS}) "
            f"group by account_id order by count(*) desc, account_id"
        ).fetchall()
        if not missing:
            return None
        accounts = _count(con, f"select count(distinct account_id) from {USAGE}")
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    rows = sum(int(count) for _, count in missing)
    examples = _quoted(account for account, _ in missing[:EXAMPLES])
    return (
        f"usage of {len(missing)} of {accounts} accounts ({rows} feature-usage rows) belongs "
        f"to no account of the CRM, so they are not scored: {examples}; look them up in "
        f"crm accounts.csv and in the run report's quarantine"
    )


def active_customers_without_usage(con: Any) -> str | None:
    """A note when active customers sent no track event at all, or None.

    Each is scored (every entitled feature a gap of a customer who never started), which is
    right for a customer who never logged in and wrong when the tracking never reached their
    workspace (a groupId the CRM does not know, events routed elsewhere): how many they are
    tells the two apart.
    """
    try:
        silent = con.execute(
            f"select account_id from {CURRENT_ACCOUNTS} where is_active_customer "
            f"and account_id not in (select account_id from {ACTIVITY}) order by account_id"
        ).fetchall()
        if not silent:
            return None
        active = _count(con, f"select count(*) from {CURRENT_ACCOUNTS} where is_active_customer")
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    examples = _quoted(account for (account,) in silent[:EXAMPLES])
    return (
        f"{len(silent)} of {active} active customers sent no track event at all: {examples}; "
        f"customers who never started, or product events that do not reach their account "
        f"(context.groupId or the user's group call)"
    )


def events_without_account(con: Any) -> str | None:
    """A note when known track events resolve to no account at all, or None.

    A track without ``context.groupId`` takes its user's latest group call before it; with
    neither it cannot be anyone's usage and staging leaves it out. Up to here that loss was
    counted nowhere (the load had accepted the lines): this counts it and names the users.
    """
    known = (
        f"from {TRACKS} as tracks left join {ATTRIBUTED} as attributed "
        f"on tracks.message_id = attributed.message_id "
        f"where attributed.message_id is null "
        f"and tracks.delivered_on <= (select max(delivered_on) from {ATTRIBUTED}) "
        f"and tracks.event_date <= (select max(event_date) from {ATTRIBUTED})"
    )
    try:
        lost = _count(con, f"select count(*) {known}")
        if not lost:
            return None
        total = _count(con, f"select count(*) from {TRACKS}")
        users = _examples(
            con,
            f"select tracks.user_id {known} group by tracks.user_id "
            f"order by count(*) desc, tracks.user_id limit {EXAMPLES}",
        )
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    return (
        f"{lost} of {total} track events belong to no account: no context.groupId and no "
        f"group call of their user before them, so they count as nobody's usage; most of "
        f"them from users {users}"
    )


def tickets_without_account(con: Any) -> str | None:
    """A note when support tickets reach no CRM account, or None.

    A ticket's account is its Zendesk organization's ``external_id``: without the
    organizations export, or with external ids that are no CRM Id, tickets are no account's
    evidence (how-to questions, complaints, feature requests) and root causes are read
    without them.
    """
    try:
        orphans = _count(con, f"select count(*) from {TICKETS} where account_id is null")
        if not orphans:
            return None
        total = _count(con, f"select count(*) from {TICKETS}")
        organizations = _examples(
            con,
            f"select organization_id from {TICKETS} where account_id is null "
            f"and organization_id is not null group by organization_id "
            f"order by count(*) desc, organization_id limit {EXAMPLES}",
        )
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    return (
        f"{orphans} of {total} support tickets belong to no CRM account, so no root cause "
        f"reads them: their organizations ({organizations}) are in no "
        f"support/dt=*/organizations.jsonl with an external_id that is a CRM Id"
    )


def customers_on_unlisted_plans(con: Any) -> str | None:
    """A note when active customers are on a plan catalog/plan_features.csv does not list.

    Entitlement comes from that file alone: such a customer is entitled to nothing, so none of
    its features is a gap and nothing about it is scored (a legacy or renamed plan, or a
    subscription without one).
    """
    try:
        plans = con.execute(
            f"select plan, count(*) from {CURRENT_ACCOUNTS} where is_active_customer "
            f"and (plan is null or plan not in (select plan from {PLAN_FEATURES})) "
            f"group by plan order by count(*) desc, plan limit {EXAMPLES}"
        ).fetchall()
        if not plans:
            return None
        customers = _count(
            con,
            f"select count(*) from {CURRENT_ACCOUNTS} where is_active_customer "
            f"and (plan is null or plan not in (select plan from {PLAN_FEATURES}))",
        )
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    listed = ", ".join(
        f"{'no plan' if plan is None else repr(str(plan))} ({count})" for plan, count in plans
    )
    return (
        f"{customers} active customers are on plans catalog/plan_features.csv does not list, "
        f"so they are entitled to nothing and not scored: {listed}"
    )


def users_grouped_in_several_accounts(con: Any) -> str | None:
    """A note when tracks were attributed by the group calls of users in several accounts.

    A track without ``context.groupId`` takes its user's latest group call: right when user
    ids are global (a user who moved, a consultant), a guess when ids are numbered inside each
    account (user "1" of every customer), which turned 60 unused features into tried ones on
    one landing zone. Which of the two holds is the export's to say; this says how many
    events rest on it.
    """
    shared = (
        f"select user_id from {GROUP_CALLS} group by user_id having count(distinct account_id) > 1"
    )
    try:
        events = _count(
            con,
            f"select count(*) from {ATTRIBUTED} where attribution_method = 'group_call' "
            f"and user_id in ({shared})",
        )
        if not events:
            return None
        users = con.execute(
            f"select user_id, count(distinct account_id) from {GROUP_CALLS} "
            f"where user_id in ({shared}) group by user_id "
            f"order by count(distinct account_id) desc, user_id"
        ).fetchall()
    except Exception:  # a missing relation: dbt's own failure already says why
        return None
    examples = ", ".join(f"{str(user)!r} ({count})" for user, count in users[:EXAMPLES])
    return (
        f"{events} track events without context.groupId were attributed by the latest group "
        f"call of a user whose group calls name several accounts ({len(users)} users; "
        f"accounts each: {examples}); if user ids are unique only inside an account, send "
        f"context.groupId on every track, or these events land in the wrong account"
    )


def gate_notes(con: Any) -> tuple[str, ...]:
    """What a passing gate should still tell a data engineer."""
    notes = (
        events_without_account(con),
        users_grouped_in_several_accounts(con),
        accounts_missing_from_crm(con),
        active_customers_without_usage(con),
        customers_on_unlisted_plans(con),
        tickets_without_account(con),
    )
    return tuple(note for note in notes if note)


def why_marts_are_empty(con: Any) -> str | None:
    """The first reason that applies: no active customer, then no usage."""
    return why_no_active_customer(con) or why_no_usage(con)

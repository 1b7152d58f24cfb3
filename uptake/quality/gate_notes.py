"""What a passing quality gate should still tell a data engineer: input the run accepted but
cannot use well, each counted with examples.

The expectations judge the marts; they cannot see track events that reached no account, usage
of accounts the CRM lacks, or tickets no account owns, because such rows never reach a mart.
Each note reads the relations dbt built (on either warehouse) and is None when there is
nothing to say; a relation that is missing leaves the word to dbt's own failure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from uptake.quality.usage_hints import (
    ATTRIBUTED,
    CATALOG_EVENTS,
    CURRENT_ACCOUNTS,
    EXAMPLES,
    TRACKS,
    count_of,
    examples_of,
    quoted_list,
)

USAGE = "marts.fct_feature_usage_daily"
ACTIVITY = "intermediate.int_user_activity_daily"
TICKETS = "ml_inputs.fct_support_tickets"
PLAN_FEATURES = "staging.stg_catalog__plan_features"
GROUP_CALLS = "staging.stg_segment__groups"

Note = Callable[[Any], "str | None"]


def _unless_unbuilt(note: Note) -> Note:
    """The note, or None when a relation it reads is missing (a courtesy, never a failure)."""

    @functools.wraps(note)
    def guarded(con: Any) -> str | None:
        try:
            return note(con)
        except Exception:  # a missing relation: dbt's own failure already says why
            return None

    return guarded


@_unless_unbuilt
def accounts_missing_from_crm(con: Any) -> str | None:
    """A note when product usage belongs to accounts no CRM snapshot holds, or None.

    Such usage reaches no mart that a CSM reads: the account is not scored at all. The usual
    causes are CRM rows quarantined at load (a name that is not UTF-8, an id the export
    mangled) and trial or internal workspaces the CRM never had. The gate passes (other
    accounts are sound); this says how much is left out, with examples to look up.
    """
    missing = con.execute(
        f"select account_id, count(*) from {USAGE} "
        f"where account_id not in (select account_id from {CURRENT_ACCOUNTS}) "
        f"group by account_id order by count(*) desc, account_id"
    ).fetchall()
    if not missing:
        return None
    accounts = count_of(con, f"select count(distinct account_id) from {USAGE}")
    rows = sum(int(count) for _, count in missing)
    examples = quoted_list(account for account, _ in missing[:EXAMPLES])
    return (
        f"usage of {len(missing)} of {accounts} accounts ({rows} feature-usage rows) belongs "
        f"to no account of the CRM, so they are not scored: {examples}; look them up in "
        f"crm accounts.csv and in the run report's quarantine"
    )


@_unless_unbuilt
def active_customers_without_usage(con: Any) -> str | None:
    """A note when active customers sent no track event at all, or None.

    Each is scored (every entitled feature a gap of a customer who never started), which is
    right for a customer who never logged in and wrong when the tracking never reached their
    workspace (a groupId the CRM does not know, events routed elsewhere): how many they are
    tells the two apart.
    """
    silent = con.execute(
        f"select account_id from {CURRENT_ACCOUNTS} where is_active_customer "
        f"and account_id not in (select account_id from {ACTIVITY}) order by account_id"
    ).fetchall()
    if not silent:
        return None
    active = count_of(con, f"select count(*) from {CURRENT_ACCOUNTS} where is_active_customer")
    examples = quoted_list(account for (account,) in silent[:EXAMPLES])
    return (
        f"{len(silent)} of {active} active customers sent no track event at all: {examples}; "
        f"customers who never started, or product events that do not reach their account "
        f"(context.groupId or the user's group call)"
    )


@_unless_unbuilt
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
    lost = count_of(con, f"select count(*) {known}")
    if not lost:
        return None
    total = count_of(con, f"select count(*) from {TRACKS}")
    users = examples_of(
        con,
        f"select tracks.user_id {known} group by tracks.user_id "
        f"order by count(*) desc, tracks.user_id limit {EXAMPLES}",
    )
    return (
        f"{lost} of {total} track events belong to no account: no context.groupId and no "
        f"group call of their user before them, so they count as nobody's usage; most of "
        f"them from users {users}"
    )


@_unless_unbuilt
def tickets_without_account(con: Any) -> str | None:
    """A note when support tickets reach no CRM account, or None.

    A ticket's account is its Zendesk organization's ``external_id``: without the
    organizations export, or with external ids that are no CRM Id, tickets are no account's
    evidence (how-to questions, complaints, feature requests) and root causes are read
    without them.
    """
    orphans = count_of(con, f"select count(*) from {TICKETS} where account_id is null")
    if not orphans:
        return None
    total = count_of(con, f"select count(*) from {TICKETS}")
    organizations = examples_of(
        con,
        f"select organization_id from {TICKETS} where account_id is null "
        f"and organization_id is not null group by organization_id "
        f"order by count(*) desc, organization_id limit {EXAMPLES}",
    )
    return (
        f"{orphans} of {total} support tickets belong to no CRM account, so no root cause "
        f"reads them: their organizations ({organizations}) are in no "
        f"support/dt=*/organizations.jsonl with an external_id that is a CRM Id"
    )


@_unless_unbuilt
def customers_on_unlisted_plans(con: Any) -> str | None:
    """A note when active customers are on a plan catalog/plan_features.csv does not list.

    Entitlement comes from that file alone: such a customer is entitled to nothing, so none of
    its features is a gap and nothing about it is scored (a legacy or renamed plan, or a
    subscription without one).
    """
    plans = con.execute(
        f"select plan, count(*) from {CURRENT_ACCOUNTS} where is_active_customer "
        f"and (plan is null or plan not in (select plan from {PLAN_FEATURES})) "
        f"group by plan order by count(*) desc, plan"
    ).fetchall()
    if not plans:
        return None
    customers = sum(int(count) for _, count in plans)
    listed = ", ".join(
        f"{'no plan' if plan is None else repr(str(plan))} ({count})"
        for plan, count in plans[:EXAMPLES]
    )
    return (
        f"{customers} active customers are on plans catalog/plan_features.csv does not list, "
        f"so they are entitled to nothing and not scored: {listed}"
    )


@_unless_unbuilt
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
    events = count_of(
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
    examples = ", ".join(f"{str(user)!r} ({count})" for user, count in users[:EXAMPLES])
    return (
        f"{events} track events without context.groupId were attributed by the latest group "
        f"call of a user whose group calls name several accounts ({len(users)} users; "
        f"accounts each: {examples}); if user ids are unique only inside an account, send "
        f"context.groupId on every track, or these events land in the wrong account"
    )


@_unless_unbuilt
def features_without_events(con: Any) -> str | None:
    """A note when catalog features name no event any track carries, or None.

    The gate fails only when no event matches at all; one feature whose `events` were
    misspelt or renamed in a release is silently never adopted by anyone, and with no peer
    using it, every account's gap on it reads as not relevant.
    """
    seen = f"select distinct lower(trim(event_name)) as event_name from {TRACKS}"
    unmatched = con.execute(
        f"select feature_key, string_agg(event_name, ', ' order by event_name) "
        f"from {CATALOG_EVENTS} where feature_key not in (select catalog.feature_key "
        f"from {CATALOG_EVENTS} as catalog join ({seen}) as seen "
        f"on catalog.event_name = seen.event_name) "
        f"group by feature_key order by feature_key"
    ).fetchall()
    if not unmatched:
        return None
    features = count_of(con, f"select count(distinct feature_key) from {CATALOG_EVENTS}")
    listed = ", ".join(f"{key!r} ({names})" for key, names in unmatched[:EXAMPLES])
    return (
        f"{len(unmatched)} of {features} catalog features name no event any track carries, "
        f"so no account adopts them and every gap on them reads as not relevant: {listed}; "
        f"catalog/features.csv `events` and the tracks' names are compared trimmed, in any case"
    )


def gate_notes(con: Any) -> tuple[str, ...]:
    """What a passing gate should still tell a data engineer."""
    notes = (
        features_without_events(con),
        events_without_account(con),
        users_grouped_in_several_accounts(con),
        accounts_missing_from_crm(con),
        active_customers_without_usage(con),
        customers_on_unlisted_plans(con),
        tickets_without_account(con),
    )
    return tuple(note for note in notes if note)

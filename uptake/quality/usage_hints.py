"""Why the marts came out empty, in words a data engineer can act on.

No usage at all, or no active customer, fails the quality gate (an empty
`marts.fct_feature_usage_daily` or `marts.cohort_benchmarks`, no entitled pair ever used), but
the gate only sees the marts. The usual causes on a new landing zone are a catalog whose
`events` name none of the track events, track events whose account (`context.groupId` or the
user's group call) is no CRM account id, and a CRM export whose subscriptions carry no `Active`
status. This reads the staging and intermediate relations dbt built and names the cause with
examples from both sides.

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
EXAMPLES = 5


def count_of(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def quoted_list(values: Iterable[Any]) -> str:
    return ", ".join(repr(str(value)) for value in values) or "none"


def examples_of(con: Any, sql: str) -> str:
    return quoted_list(row[0] for row in con.execute(sql).fetchall())


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
        tracks = count_of(con, f"select count(*) from {TRACKS}")
        if tracks == 0:
            return (
                "no track event was loaded: product_events/dt=*/ holds no valid track message "
                "(see the quarantine in the run report)"
            )
        if not count_of(con, f"select count(*) from {FEATURES}"):
            return f"no feature of catalog/features.csv was loaded{_catalog_quarantine(con)}"
        named = count_of(
            con,
            f"select count(*) from {TRACKS} where lower(trim(event_name)) in "
            f"(select event_name from {CATALOG_EVENTS})",
        )
        if named == 0:
            seen = examples_of(
                con,
                f"select event_name from {TRACKS} group by event_name "
                f"order by count(*) desc, event_name limit {EXAMPLES}",
            )
            listed = examples_of(
                con,
                f"select event_name from {CATALOG_EVENTS} order by event_name limit {EXAMPLES}",
            )
            return (
                f"none of the {tracks} track events is named in catalog/features.csv `events`: "
                f"the most frequent names are {seen}; the catalog lists {listed}"
            )
        if not count_of(
            con,
            f"select count(*) from {ATTRIBUTED} where account_id in "
            f"(select account_id from {ACCOUNTS})",
        ):
            groups = examples_of(
                con,
                f"select context_group_id from {TRACKS} where context_group_id is not null "
                f"group by context_group_id order by count(*) desc, context_group_id "
                f"limit {EXAMPLES}",
            )
            accounts = examples_of(
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
        if count_of(con, f"select count(*) from {CURRENT_ACCOUNTS} where is_active_customer"):
            return None
        latest = f"(select max(snapshot_date) from {SUBSCRIPTIONS})"
        rows = count_of(con, f"select count(*) from {SUBSCRIPTIONS} where snapshot_date = {latest}")
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


def why_marts_are_empty(con: Any) -> str | None:
    """The first reason that applies: no active customer, then no usage."""
    return why_no_active_customer(con) or why_no_usage(con)

"""run_source_freshness's command line, result folding and error, without starting dbt."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

from uptake.settings import Settings
from uptake.transform.freshness import SourceFreshnessError, freshness_args, summarize_freshness

AS_OF = datetime(2019, 11, 30, tzinfo=UTC)


def _criteria(warn: int | None, error: int | None) -> SimpleNamespace:
    def time_(count: int | None) -> SimpleNamespace | None:
        return SimpleNamespace(count=count, period=SimpleNamespace(value="day")) if count else None

    return SimpleNamespace(warn_after=time_(warn), error_after=time_(error))


def _result(table: str, status: str, newest: datetime, warn: int, error: int | None) -> object:
    return SimpleNamespace(
        node=SimpleNamespace(source_name="raw", name=table, freshness=_criteria(warn, error)),
        status=SimpleNamespace(value=status),
        max_loaded_at=newest,
        snapshotted_at=AS_OF,
        age=(AS_OF - newest).total_seconds(),
        message=None,
    )


def test_freshness_args_come_from_settings(settings: Settings) -> None:
    args = freshness_args(settings, date(2019, 11, 30))
    assert args[:2] == ["source", "freshness"]
    assert args[args.index("--target-path") + 1] == str(settings.dbt_target_dir)
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2019-11-30"}


def test_results_fold_into_sources_sorted_with_ages_in_days() -> None:
    never = datetime(1, 1, 1, tzinfo=UTC)  # dbt's reading of "no delivery at all"
    result = summarize_freshness(
        [
            _result("support_tickets", "warn", datetime(2019, 11, 8, tzinfo=UTC), 14, None),
            _result("product_events", "error", never, 2, 30),
            _result("crm_accounts", "pass", AS_OF, 8, 31),
        ],
        as_of_date=None,  # taken from dbt's snapshotted_at: the start of the as-of day
        elapsed_seconds=1.5,
    )
    assert result.as_of_date == date(2019, 11, 30)
    assert [s.source for s in result.sources] == [
        "raw.crm_accounts",
        "raw.product_events",
        "raw.support_tickets",
    ]
    crm, events, tickets = result.sources
    assert (crm.newest_delivery, crm.age_days, crm.warn_after, crm.error_after) == (
        date(2019, 11, 30),
        0.0,
        "8 day",
        "31 day",
    )
    assert (events.newest_delivery, events.age_days, events.failed) == (None, None, True)
    assert (tickets.age_days, tickets.error_after, tickets.failed) == (22.0, None, False)
    assert result.warnings == [tickets] and result.errors == [events]
    assert not result.success
    counts = result.as_dict()["status_counts"]
    assert counts == {"pass": 1, "warn": 1, "error": 1, "runtime error": 0}
    message = str(SourceFreshnessError(result))
    assert message.startswith("stale sources as of 2019-11-30:")
    assert (
        "\n  raw.product_events [error]: newest delivery none (error after 30 day); "
        "no product_events/dt=*/*.jsonl was delivered"
    ) in message
    assert "support_tickets" not in message  # a warning does not stop anything
    # Where the load quarantined the source's rows, the reasons follow (stale_reasons).
    message = str(SourceFreshnessError(result, {"raw.product_events": "missing_header (4 rows)"}))
    assert "(error after 30 day); quarantined at load: missing_header (4 rows)" in message


def test_a_failed_invocation_is_an_error() -> None:
    result = summarize_freshness(
        [], as_of_date=date(2019, 11, 30), elapsed_seconds=0.1, invocation_error="no profile"
    )
    assert not result.success and result.sources == []
    assert "dbt source freshness: no profile" in str(SourceFreshnessError(result))


def test_quarantine_reasons_are_read_per_raw_table(tmp_path) -> None:
    from uptake.settings import get_settings
    from uptake.transform.stale_reasons import quarantine_reasons
    from uptake.warehouse import connect

    settings = get_settings({"UPTAKE_HOME": str(tmp_path)})
    assert quarantine_reasons(settings, ["raw.crm_accounts"]) == {}  # no warehouse yet
    with connect(settings.warehouse_path) as con:
        con.execute(
            "create schema raw; create table raw.quarantine (source varchar, entity varchar, "
            "file_path varchar, line_number bigint, reason varchar, record varchar, "
            "quarantined_at timestamp)"
        )
        for reason, n in (("missing_header", 3), ("empty_file", 1)):
            for _ in range(n):
                con.execute(
                    "insert into raw.quarantine values ('crm', 'accounts', 'f', null, ?, '', "
                    "now())",
                    [reason],
                )
    assert quarantine_reasons(settings, ["raw.crm_accounts", "raw.crm_renewals", "x.y"]) == {
        "raw.crm_accounts": "missing_header (3 rows), empty_file (1 row)"
    }
    with connect(settings.warehouse_path) as con:
        con.execute(
            "insert into raw.quarantine values ('crm', 'renewals', 'f', 2, "
            "'invalid_date:CloseDate', ?, now())",
            ['{"Id": "006R", "CloseDate": "4/23/1991"}'],
        )
    assert quarantine_reasons(settings, ["raw.crm_renewals"]) == {
        "raw.crm_renewals": "invalid_date:CloseDate (1 row, e.g. '4/23/1991')"
    }


def test_a_keyed_reason_shows_the_value_it_refused() -> None:
    """Found on a US-dated CRM export: the run stopped on "invalid_date:CreatedDate (4002
    rows)"; the value itself (`8/9/1989`) says what to change in the export."""
    from uptake.transform.stale_reasons import example_value

    row = '{"Id": "001A", "ARR__c": "$16,400.21", "context": {"groupId": "g"}}'
    assert example_value("invalid_number:ARR__c", row) == "$16,400.21"
    assert example_value("wrong_json_type:context.groupId", row) == "g"
    assert example_value("invalid_number:Seats__c", row) is None  # not in the record
    assert example_value("missing_header", row) is None  # not a keyed reason
    assert example_value("invalid_date:CloseDate", '{"CloseDate": "4/23/19') is None  # cut off
    assert example_value("unknown_value:Status", '{"Status": "' + "x" * 60 + '"}') == (
        "x" * 37 + "..."
    )


def test_the_files_a_raw_table_waits_for_are_named() -> None:
    from uptake.extract.specs import expected_files

    assert expected_files("raw.crm_renewals") == "crm/dt=*/renewals.csv"
    assert expected_files("raw.support_tickets") == "support/dt=*/tickets.jsonl"
    assert expected_files("raw.catalog_features") == "catalog/features.csv"
    assert expected_files("raw.nothing") is None

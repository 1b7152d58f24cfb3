from datetime import date
from pathlib import Path

import pytest

from uptake.cli import build_parser, main
from uptake.settings import Settings
from uptake.simulation import simulate


def test_simulate_arguments_match_the_readme() -> None:
    args = build_parser().parse_args(
        ["simulate", "--out", "/tmp/x", "--accounts", "5", "--months", "2", "--seed", "3"]
    )
    assert (args.out, args.accounts, args.months, args.seed) == ("/tmp/x", 5, 2, 3)
    assert args.difficulty == "standard"


def test_run_takes_an_optional_as_of_date() -> None:
    args = build_parser().parse_args(["run", "--as-of", "2026-01-31"])
    assert args.as_of.isoformat() == "2026-01-31"


def test_run_full_refresh_reaches_the_airflow_tasks_through_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uptake.cli
    from uptake.orchestration.dags_test_runner import airflow_env

    seen: list[Settings] = []
    monkeypatch.setattr(uptake.cli, "_run", lambda s, as_of: seen.append(s) or 0)
    assert main(["run"]) == 0
    assert main(["run", "--full-refresh"]) == 0
    assert [s.dbt_full_refresh for s in seen] == [False, True]
    # The transform task reads it back from the environment of `airflow dags test`.
    assert airflow_env(seen[1])["UPTAKE_DBT_FULL_REFRESH"] == "true"


def test_simulate_start_moves_the_whole_window(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["simulate", "--out", str(tmp_path), "--months", "2", "--start", "2019-06-01"]
    )
    assert args.start == date(2019, 6, 1)
    simulate(tmp_path, accounts=3, months=2, seed=1, start_date=date(2019, 6, 1))
    deliveries = sorted(p.name for p in (tmp_path / "crm").iterdir())
    assert deliveries[0] >= "dt=2019-06-01" and deliveries[-1] == "dt=2019-07-31"
    with pytest.raises(ValueError, match="not both"):
        simulate(tmp_path, months=2, start_date=date(2019, 6, 1), end_date=date(2019, 9, 1))


def test_report_exits_non_zero_when_a_section_is_unavailable(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 1
    captured = capsys.readouterr()
    assert "unavailable" in captured.out
    assert "report incomplete: unavailable sections: Rows loaded" in captured.err


def test_evaluate_exits_non_zero_without_truth_or_warehouse(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--truth", str(settings.home / "nowhere")]) == 1
    assert "evaluation unavailable: no planted truth" in capsys.readouterr().err
    truth = settings.home / "truth"
    truth.mkdir(parents=True)
    (truth / "feature_truth.csv").write_text("account_id,feature_key,truth_status,root_cause\n")
    assert main(["evaluate", "--truth", str(truth)]) == 1
    assert "evaluation unavailable" in capsys.readouterr().err


def test_evaluate_names_the_tables_a_stopped_run_left_unbuilt(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    truth = settings.home / "truth"
    truth.mkdir(parents=True)
    (truth / "feature_truth.csv").write_text("account_id,feature_key,truth_status,root_cause\n")
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:  # a run stopped at the gate
        con.execute("create schema marts; create table marts.dim_accounts (account_id text)")
    assert main(["evaluate", "--truth", str(truth)]) == 1
    error = capsys.readouterr().err
    assert "the warehouse has no marts.adoption_gaps, marts.account_feature_adoption" in error
    assert "did not reach scoring" in error


def test_gaps_and_the_report_name_the_tables_a_stopped_run_left_unbuilt(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that stopped at the quality gate: `uptake gaps` and the report's gap section
    printed DuckDB's catalog error ("Table with name adoption_gaps does not exist!")."""
    import duckdb

    from uptake.run_report import SectionUnavailable, gaps_section

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create schema marts; create table marts.dim_accounts (account_id text)")
    assert main(["gaps", "--account", "001A"]) == 1
    error = capsys.readouterr().err
    assert "gaps unavailable: the warehouse has no marts.adoption_gaps: the last" in error
    with pytest.raises(SectionUnavailable, match=r"no marts\.adoption_gaps, marts\.adoption_"):
        gaps_section(settings)


def test_run_fails_loudly_on_a_landing_zone_without_deliveries(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (settings.landing_dir / "catalog").mkdir(parents=True)
    (settings.landing_dir / "crm" / "dt=2026-01-01").mkdir(parents=True)  # empty delivery
    assert main(["run"]) == 1
    assert "no deliveries" in capsys.readouterr().err
    assert not settings.airflow_home.exists()  # refused before Airflow was started


def test_backfill_rejects_an_inverted_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backfill", "--start", "2026-02-02", "--end", "2026-02-01"]) == 2
    assert "before --start" in capsys.readouterr().err


def test_extract_loads_without_airflow_and_fails_on_a_missing_landing_zone(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract"]) == 1
    assert "extract failed: landing zone" in capsys.readouterr().err
    simulate(settings.landing_dir, accounts=3, months=1, seed=2)
    assert main(["extract"]) == 0
    out = capsys.readouterr().out
    assert "product_events" in out and "rows loaded" in out
    assert not settings.airflow_home.exists()  # no Airflow involved


def test_docs_needs_a_warehouse(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["docs"])
    assert (args.port, args.no_serve) == (8580, False)
    assert main(["docs", "--no-serve"]) == 1
    assert "docs unavailable: no warehouse at" in capsys.readouterr().err
    assert not settings.warehouse_path.exists()  # dbt did not create an empty one

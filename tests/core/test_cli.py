from uptake.cli import build_parser


def test_simulate_arguments_match_the_readme() -> None:
    args = build_parser().parse_args(
        ["simulate", "--out", "/tmp/x", "--accounts", "5", "--months", "2", "--seed", "3"]
    )
    assert (args.out, args.accounts, args.months, args.seed) == ("/tmp/x", 5, 2, 3)
    assert args.difficulty == "standard"


def test_run_takes_an_optional_as_of_date() -> None:
    args = build_parser().parse_args(["run", "--as-of", "2026-01-31"])
    assert args.as_of.isoformat() == "2026-01-31"

from pathlib import Path

import pandas as pd
import pytest
import yaml

from uptake.scoring.relevance import (
    NOT_RELEVANT_BELOW_IF_NEVER_USED,
    USE_ODDS_PER_ADOPTION_ODDS,
    estimate_relevance,
    not_relevant_cutoff,
    own_use,
    peer_use_rate,
)
from uptake.scoring.rules import STRAY_USE_MAX_EVENTS

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def test_use_case_peers_decide_plan_peers_stand_in_and_no_peers_means_needed() -> None:
    gaps = pd.DataFrame(
        {
            "use_case_peers": [12, 2, None, None],
            "use_case_peer_rate": [0.1, 0.9, None, None],
            "use_case_peer_use_rate": [0.2, 1.0, None, None],
            "plan_peers": [30, 30, 3, None],
            "plan_peer_rate": [0.8, 0.4, 0.25, None],
            "plan_peer_use_rate": [0.9, 0.5, 1 / 3, None],
        }
    )
    out = estimate_relevance(gaps)
    assert out["relevance"].tolist() == [0.1, 0.4, 0.25, 1.0]
    assert out["relevance_basis"].tolist() == ["use_case", "plan", "plan", "none"]
    below = out["relevance"] < NOT_RELEVANT_BELOW_IF_NEVER_USED
    assert below.tolist() == [True, True, True, False]


def test_the_cutoff_is_lower_for_an_account_that_tried_the_feature() -> None:
    status = pd.Series(["never_used", "trying", "abandoned"])
    never, trying, abandoned = not_relevant_cutoff(status)
    assert trying == abandoned < never


def test_a_stray_click_counts_as_never_used() -> None:
    gaps = pd.DataFrame(
        {
            "adoption_status": ["trying", "abandoned", "trying", "never_used"],
            "events_to_date": [2, 1, 3, 0],
        }
    )
    assert own_use(gaps).tolist() == ["never_used", "never_used", "trying", "never_used"]


def test_peer_use_needs_enough_peers_else_it_follows_the_adoption_rate() -> None:
    gaps = pd.DataFrame(
        {
            # enough use-case peers; too few, the plan's stand in; too few of both (three
            # accounts that all, two, none adopted it); no peers at all
            "use_case_peers": [12, 3, 3, 3, 3, None],
            "use_case_peer_use_rate": [0.25, 2 / 3, 1.0, 2 / 3, 0.0, None],
            "plan_peers": [40, 40, 3, 3, 3, None],
            "plan_peer_use_rate": [0.5, 0.6, 1.0, 2 / 3, 0.0, None],
        }
    )
    adoption = pd.Series([0.1, 0.5, 1.0, 2 / 3, 0.0, None])
    rates = peer_use_rate(gaps, adoption)
    assert rates.round(4).tolist()[:3] == [0.25, 0.6, 1.0]
    # the adoption rate's odds times USE_ODDS_PER_ADOPTION_ODDS: above it, never past 1
    assert rates[3] == pytest.approx(
        USE_ODDS_PER_ADOPTION_ODDS * 2 / (USE_ODDS_PER_ADOPTION_ODDS * 2 + 1)
    )
    assert rates[4] == 0.0 and rates[5] == 1.0


def test_dbt_counts_a_stray_click_as_scoring_does() -> None:
    """Peers' use in dbt and the account's own use in scoring draw the same line."""
    dbt_vars = yaml.safe_load(DBT_PROJECT.read_text())["vars"]
    assert dbt_vars["stray_use_max_events"] == STRAY_USE_MAX_EVENTS

import pandas as pd

from uptake.scoring.relevance import (
    NOT_RELEVANT_BELOW_IF_NEVER_USED,
    estimate_relevance,
    not_relevant_cutoff,
    own_use,
)


def test_use_case_peers_decide_plan_peers_stand_in_and_no_peers_means_needed() -> None:
    gaps = pd.DataFrame(
        {
            "use_case_peers": [12, 2, None, None],
            "use_case_peer_rate": [0.1, 0.9, None, None],
            "plan_peer_rate": [0.8, 0.4, 0.25, None],
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

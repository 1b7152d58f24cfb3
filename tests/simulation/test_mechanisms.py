"""The planted mechanisms behave as documented (docs/simulator.md), at demo size where cheap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from uptake.simulation import PRESETS, SIGNAL_RATES
from uptake.simulation import parameters as cfg
from uptake.simulation.adoption_states import Intervention, Pairs, build_pairs, draw_interventions
from uptake.simulation.catalog import ANALYTICS
from uptake.simulation.events import TRACK, build_messages, cap_trailing_window
from uptake.simulation.renewal_outcomes import RenewalOutcome, draw_renewals
from uptake.simulation.signal_timing import PlannedTicket, plan_signals
from uptake.simulation.truth import truth_label
from uptake.simulation.world import World, build_world, make_window


@dataclass
class State:
    world: World
    pairs: Pairs
    interventions: list[Intervention]
    tickets: list[PlannedTicket]
    renewals: list[RenewalOutcome]


def _state(accounts: int, months: int, seed: int, difficulty: str) -> State:
    world = build_world(seed, accounts, make_window(cfg.DEFAULT_END_DATE, months))
    pairs = build_pairs(world, seed, difficulty)
    interventions = draw_interventions(world, pairs, seed)
    tickets, _ = plan_signals(world, pairs, seed, difficulty)
    renewals = draw_renewals(world, pairs, tickets, seed)
    return State(world, pairs, interventions, tickets, renewals)


@pytest.fixture(scope="module")
def demo() -> dict[str, State]:
    return {d: _state(seed=7, difficulty=d, **PRESETS["demo"]) for d in cfg.DIFFICULTIES}


@pytest.mark.parametrize("seed", [7, 8])
def test_demo_size_has_enough_labelled_renewals(seed: int) -> None:
    state = _state(seed=seed, difficulty="standard", **PRESETS["demo"])
    closed = [r for r in state.renewals if r.is_closed and r.close_day >= 90]
    assert len(closed) >= 120
    assert 0.15 <= np.mean([r.churned for r in closed]) <= 0.30


def test_churn_follows_adoption_depth(demo: dict[str, State]) -> None:
    closed = [r for r in demo["standard"].renewals if r.is_closed]
    depth = np.array([r.weighted_depth for r in closed])
    probability = np.array([r.churn_probability for r in closed])
    low, high = depth <= np.quantile(depth, 0.25), depth >= np.quantile(depth, 0.75)
    assert probability[low].mean() > 2 * probability[high].mean()


def test_every_root_cause_is_planted(demo: dict[str, State]) -> None:
    state = demo["standard"]
    last = state.world.window.days - 1
    causes = [truth_label(state.pairs, p, last)[1] for p in range(len(state.pairs))]
    counts = {cause: causes.count(cause) for cause in cfg.TRUTH_ROOT_CAUSES}
    gaps = sum(counts.values())
    assert all(count >= 0.02 * gaps for count in counts.values()), counts


def _ticket_share(state: State, cause: int, intent: str) -> float:
    pairs = state.pairs
    index = {
        (int(a), int(f)): p
        for p, (a, f) in enumerate(zip(pairs.account, pairs.feature, strict=True))
    }
    hit = {
        index[(t.account, t.feature)]
        for t in state.tickets
        if t.feature >= 0 and t.intent == intent
    }
    members = np.nonzero(pairs.cause == cause)[0]
    return float(np.mean([p in hit for p in members]))


def test_signal_rates_are_realised_and_hard_overlaps_more(demo: dict[str, State]) -> None:
    standard, hard = demo["standard"], demo["hard"]
    rate = SIGNAL_RATES["standard"]["training"]["how_to_ticket"]
    # Pairs with no observable period send nothing, so the realised share may fall a bit short.
    assert rate - 0.12 <= _ticket_share(standard, cfg.TRAINING, "how-to") <= rate + 0.08
    gap_standard = _ticket_share(standard, cfg.TRAINING, "how-to") - _ticket_share(
        standard, cfg.PRODUCT_FIT, "how-to"
    )
    gap_hard = _ticket_share(hard, cfg.TRAINING, "how-to") - _ticket_share(
        hard, cfg.PRODUCT_FIT, "how-to"
    )
    assert gap_hard < gap_standard
    for cause in cfg.CAUSES:
        for signal, value in SIGNAL_RATES["hard"][cause].items():
            assert 0.0 <= value <= 1.0, (cause, signal)
    # Same customers at both difficulties: only behaviour and signals differ.
    assert [a.name for a in standard.world.accounts] == [a.name for a in hard.world.accounts]
    assert not np.array_equal(standard.pairs.cause, hard.pairs.cause)


def test_plain_traces_never_overlap_and_the_use_case_decides_relevance(
    demo: dict[str, State],
) -> None:
    plain = demo["plain"]
    # Each cause's own ticket nearly always; never another cause's.
    assert _ticket_share(plain, cfg.TRAINING, "how-to") >= 0.75
    assert _ticket_share(plain, cfg.PRODUCT_FIT, "feature-request") >= 0.55
    for cause in (cfg.PRODUCT_FIT, cfg.URGENCY, cfg.NOT_RELEVANT):
        assert _ticket_share(plain, cause, "how-to") == 0.0
    for cause in (cfg.TRAINING, cfg.URGENCY, cfg.NOT_RELEVANT):
        assert _ticket_share(plain, cause, "feature-request") == 0.0
    # Relevance follows the use case: a feature the matrix rates 0.6 or more is always
    # relevant to it (not relevant never planted), one rated 0.4 or less never is.
    pairs, world = plain.pairs, plain.world
    matrix = np.array(
        [
            world.catalog.features[int(f)].relevance[world.accounts[int(a)].use_case]
            for a, f in zip(pairs.account, pairs.feature, strict=True)
        ]
    )
    unneeded = pairs.cause == cfg.NOT_RELEVANT
    assert not unneeded[matrix >= 0.6].any()
    assert unneeded[matrix <= 0.4].all()


def test_interventions_that_fit_the_cause_work_more_often(demo: dict[str, State]) -> None:
    interventions = demo["standard"].interventions
    strong = [i.worked for i in interventions if i.true_effect >= 0.4]
    useless = [i.worked for i in interventions if i.true_effect == 0.0]
    assert len(strong) >= 10 and len(useless) >= 10
    assert np.mean(strong) > np.mean(useless) + 0.3


Usage = tuple[State, dict[tuple[int, int], np.ndarray]]


def _recent_usage(difficulty: str) -> Usage:
    """Events of a mid-size run: per pair, the last-30-day event count of each user."""
    state = _state(accounts=60, months=8, seed=3, difficulty=difficulty)
    messages = build_messages(state.world, state.pairs, seed=3)
    feature_of = {}
    for index, name in enumerate(ANALYTICS.event_vocabulary()):
        for number, feature in enumerate(ANALYTICS.features):
            if name in feature.events:
                feature_of[index] = number
    track = messages.kind == TRACK
    days = messages.timestamp_ms // 86_400_000
    recent = days > days.max() - 30
    counts: dict[tuple[int, int], dict[int, int]] = {}
    totals: dict[tuple[int, int], int] = {}
    for code, account, user, is_recent in zip(
        messages.event[track],
        messages.account[track],
        messages.user[track],
        recent[track],
        strict=True,
    ):
        if int(code) not in feature_of:
            continue
        key = (int(account), feature_of[int(code)])
        totals[key] = totals.get(key, 0) + 1
        if is_recent:
            per_user = counts.setdefault(key, {})
            per_user[int(user)] = per_user.get(int(user), 0) + 1
    result = {key: np.array(list(counts.get(key, {}).values()) or [0]) for key in totals}
    result.update({(k[0], k[1], "total"): np.array([v]) for k, v in totals.items()})  # type: ignore[misc]
    return state, result


@pytest.fixture(scope="module")
def usage() -> Usage:
    return _recent_usage("standard")


def _seen_by_cause(usage: Usage) -> dict[str, list[str]]:
    """Per planted cause (or status), how each active pair's use looks at the end."""
    state, recent = usage
    pairs, last = state.pairs, state.world.window.days - 1
    outcome: dict[str, list[str]] = {}
    for p in range(len(pairs)):
        account = state.world.accounts[int(pairs.account[p])]
        if account.churn_day is not None or pairs.entitled_day[p] > last:
            continue
        key = (int(pairs.account[p]), int(pairs.feature[p]))
        threshold = ANALYTICS.features[key[1]].active_min_events_30d
        total = int(recent.get((*key, "total"), np.array([0]))[0])  # type: ignore[arg-type]
        users_30d = recent.get(key, np.array([0]))
        if total == 0:
            seen = "never"
        elif users_30d.sum() == 0:
            seen = "abandoned" if total > 3 else "stray"
        elif (users_30d >= threshold).sum() >= 1 and users_30d.sum() >= threshold:
            seen = "active"
        else:
            seen = "trying"
        status, cause = truth_label(pairs, p, last)
        outcome.setdefault(cause or status, []).append(seen)
    return outcome


def test_usage_patterns_follow_the_latent_state(usage: Usage) -> None:
    outcome = _seen_by_cause(usage)

    def share(label: str, *kinds: str) -> float:
        return float(np.mean([seen in kinds for seen in outcome[label]]))

    assert share("adopted", "active") >= 0.85
    assert share("product_fit", "abandoned", "stray") >= 0.6
    # A training gap leaves struggling use below the threshold, and never a user at it: that
    # would be adoption (0.055 of them did before trials were capped). Only a gap whose
    # intervention worked in the last 14 days may show full use already.
    assert share("training", "trying", "abandoned", "stray") >= 0.75
    assert share("training", "active") <= 0.01
    assert share("urgency", "never", "stray") >= 0.85
    assert share("not_relevant", "never", "stray") >= 0.85


def test_trailing_window_cap_keeps_every_30_days_below_the_limit() -> None:
    rng = np.random.default_rng(3)
    user = np.repeat([0, 1], 200)
    day = np.concatenate([np.sort(rng.choice(365, 200, replace=False))] * 2)
    count = rng.poisson(1.5, 400)
    capped = cap_trailing_window(user, day, count, limit=2)
    assert (capped <= count).all() and (capped >= 0).all()
    for who in (0, 1):
        mine = user == who
        daily = np.bincount(day[mine], weights=capped[mine], minlength=400)
        assert np.convolve(daily, np.ones(30), "valid").max() <= 2
    # Greedy in day order: the first events of a quiet stretch are kept as drawn.
    assert list(
        cap_trailing_window(np.zeros(3), np.array([0, 40, 45]), np.array([2, 1, 3]), 2)
    ) == [
        2,
        1,
        1,
    ]


def test_a_product_fit_trickle_has_no_user_at_the_threshold_at_the_end() -> None:
    # The hard setting keeps a quarter of product-fit trials going as a trickle; its users are
    # held below the threshold in the last 30 days (without that, 0.143 of them were active).
    seen = _seen_by_cause(_recent_usage("hard"))["product_fit"]
    assert np.mean([kind == "active" for kind in seen]) <= 0.01

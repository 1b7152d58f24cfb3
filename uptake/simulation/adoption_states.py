"""Latent adoption state of every account x entitled feature, and how it moves over time.

Each pair gets a latent cause (CAUSES in config) and the days that shape its usage: when the
feature became entitled, when someone first tried it, when a product-fit trial ended, and when
(if ever) full adoption began. Interventions are drawn here too, because a working one moves the
adoption day. Usage, tickets and notes are all rendered from these arrays later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.world import World

NEVER = 10**6  # adoption day of a pair that never adopts


@dataclass
class Pairs:
    account: np.ndarray  # int32 account index
    feature: np.ndarray  # int16 feature index
    entitled_day: np.ndarray  # int32 (negative: before the window)
    cause: np.ndarray  # int8, parameters.CAUSES index
    adopt_day: np.ndarray  # int32, NEVER when not adopting
    natural_adopt_day: np.ndarray  # adoption day without any intervention
    trial_start: np.ndarray  # int32, first try (NEVER: never tried)
    trial_end: np.ndarray  # int32, last day of a trial that is abandoned (NEVER: keeps going)
    trial_users: np.ndarray  # float64 share of users who try
    adopt_users: np.ndarray  # float64 share of users who use it once adopted
    trial_rate: np.ndarray  # events per trying user per 30 days
    adopt_rate: np.ndarray  # events per adopting user per 30 days
    error_share: np.ndarray  # share of trial events carrying properties.error
    stray_clicks: np.ndarray  # int8 number of one-off events
    feature_key: np.ndarray  # object: the catalog key of each pair's feature
    expected_days: np.ndarray  # int32: the feature's expected days to adopt
    value_weight: np.ndarray  # float64: the feature's value weight

    def __len__(self) -> int:
        return len(self.account)


@dataclass
class Intervention:
    intervention_id: str
    pair: int
    account: int
    feature: int
    kind: str
    day: int
    second_of_day: int
    cause: str  # latent cause at the time, or too_early for a pair still ramping up
    true_effect: float
    worked: bool


def _entitled_pairs(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    accounts, features, days = [], [], []
    for account in world.accounts:
        base = world.catalog.plan_features(account.plan)
        for feature in base:
            accounts.append(account.index)
            features.append(feature)
            days.append(account.start_day)
        if account.upgrade_day is not None:
            for feature in world.catalog.plan_features(account.plan_on(account.upgrade_day)):
                if feature not in base:
                    accounts.append(account.index)
                    features.append(feature)
                    days.append(account.upgrade_day)
    return (
        np.asarray(accounts, dtype=np.int32),
        np.asarray(features, dtype=np.int16),
        np.asarray(days, dtype=np.int32),
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def build_pairs(world: World, seed: int, difficulty: str) -> Pairs:
    rng = np.random.default_rng([seed, 2])
    rates = parameters.SIGNAL_RATES[difficulty]
    account, feature, entitled = _entitled_pairs(world)
    n = len(account)
    days = world.window.days
    health = np.array([a.health for a in world.accounts])[account]
    use_case = np.array([a.use_case for a in world.accounts])[account]
    features = world.catalog.features
    expected = np.array([f.expected_days_to_adopt for f in features])[feature]
    category = np.array([f.category for f in features])[feature]
    relevance = np.array([f.relevance for f in features])[feature, use_case]
    fit_risk = np.array([f.fit_risk for f in features])[feature, use_case]
    sharp = parameters.RELEVANCE_SHARPNESS[difficulty]
    relevant = rng.random(n) < np.clip(0.5 + sharp * (relevance - 0.5), 0.0, 1.0)

    base = np.array([parameters.ADOPT_BASE[c] for c in category])
    p_adopt = _sigmoid(np.log(base / (1 - base)) + parameters.ADOPT_HEALTH_SLOPE * health)
    # Product-fit risk of the use case lowers adoption, so peers of that use case lag together.
    p_adopt *= 1.0 - 0.6 * fit_risk
    adopter = relevant & (rng.random(n) < p_adopt)

    # Days to the next renewal after the window end: far renewals make urgency gaps likelier.
    far_renewal = np.array(
        [
            next((d for d in a.renewal_days if d >= days - 1), days + 365) - (days - 1) > 150
            for a in world.accounts
        ]
    )[account]
    weights = np.column_stack(
        [
            1.0 + 0.8 * (category != "core") - 0.3 * health,  # training
            0.3 + 2.5 * fit_risk,  # product_fit
            0.6 + 0.4 * np.clip(health, -1, 2) + 0.5 * far_renewal,  # urgency
        ]
    ).clip(0.05)
    weights /= weights.sum(axis=1, keepdims=True)
    gap_cause = 1 + (rng.random(n)[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    cause = np.where(
        adopter, parameters.ADOPTED, np.where(relevant, gap_cause, parameters.NOT_RELEVANT)
    )
    cause = cause.astype(np.int8)

    # A training gap that gives up behaves like a product-fit gap (and the reverse below).
    abandons = np.array([rates[parameters.CAUSES[c]]["abandons"] for c in cause])
    keeps = np.array([rates[parameters.CAUSES[c]]["keeps_trickle"] for c in cause])
    gives_up = rng.random(n) < abandons
    trickles = rng.random(n) < keeps

    live_from = np.maximum(entitled, 0)
    delay = (rng.uniform(0.15, 0.85, n) * expected).astype(np.int32)
    natural_adopt = np.where(adopter, entitled + delay, NEVER).astype(np.int32)

    # Trials of struggling pairs happen inside the window so that the evidence is observable.
    trial_start = np.full(n, NEVER, dtype=np.int32)
    trial_end = np.full(n, NEVER, dtype=np.int32)
    tries = (cause == parameters.TRAINING) | (cause == parameters.PRODUCT_FIT)
    span = np.maximum(days - 1 - live_from, 1)
    offset = np.where(
        entitled >= 0,
        rng.uniform(0.05, 0.6, n) * expected,
        rng.uniform(0.0, 0.6, n) * span,
    ).astype(np.int32)
    trial_start[tries] = (live_from + offset)[tries]
    trial_len = rng.integers(21, 90, n)
    ends = tries & (gives_up | (cause == parameters.PRODUCT_FIT)) & ~trickles
    # Abandoned trials end early enough to look abandoned at the end (no use in 30+ days).
    latest_end = days - 36
    fit_start = np.minimum(trial_start, np.maximum(live_from, latest_end - trial_len))
    trial_start = np.where(ends, fit_start, trial_start).astype(np.int32)
    trial_end[ends] = (trial_start + trial_len)[ends]
    # The ramp of a natural adopter is a short trial by a few users.
    ramping = adopter & (natural_adopt > -30)
    ramp_len = rng.integers(7, 30, n)
    trial_start[ramping] = np.maximum(natural_adopt - ramp_len, entitled)[ramping]

    trial_kind = np.where(cause == parameters.PRODUCT_FIT, "product_fit", "training")
    share_low = np.array([parameters.TRIAL_USER_SHARE[k][0] for k in trial_kind])
    share_high = np.array([parameters.TRIAL_USER_SHARE[k][1] for k in trial_kind])
    rate_low = np.array([parameters.TRIAL_RATE_MULTIPLIER[k][0] for k in trial_kind])
    rate_high = np.array([parameters.TRIAL_RATE_MULTIPLIER[k][1] for k in trial_kind])
    threshold = np.array([f.active_min_events_30d for f in features])[feature].astype(float)
    errors = rng.random(n) < np.array([rates[parameters.CAUSES[c]]["error_events"] for c in cause])
    stray = rng.random(n) < np.array([rates[parameters.CAUSES[c]]["stray_click"] for c in cause])

    return Pairs(
        account=account,
        feature=feature,
        entitled_day=entitled,
        cause=cause,
        adopt_day=natural_adopt.copy(),
        natural_adopt_day=natural_adopt,
        trial_start=trial_start,
        trial_end=trial_end,
        trial_users=rng.uniform(share_low, share_high),
        adopt_users=rng.uniform(*parameters.ADOPTING_USER_SHARE, n),
        trial_rate=threshold * rng.uniform(rate_low, rate_high),
        adopt_rate=threshold * rng.uniform(*parameters.ADOPTED_RATE_MULTIPLIER, n),
        error_share=np.where(errors, parameters.ERROR_SHARE_WHEN_STRUGGLING, 0.0),
        stray_clicks=np.where(stray, rng.integers(1, 3, n), 0).astype(np.int8),
        feature_key=np.array([f.key for f in features], dtype=object)[feature],
        expected_days=expected.astype(np.int32),
        value_weight=np.array([f.value_weight for f in features])[feature],
    )


def draw_interventions(world: World, pairs: Pairs, seed: int) -> list[Intervention]:
    """Pick interventions, decide whether each works, and move adoption days accordingly.

    Gaps without an intervention may still close on their own (SELF_ADOPTION_RATE), which is
    the baseline a measurement of intervention lift has to beat.
    """
    rng = np.random.default_rng([seed, 3])
    days = world.window.days
    result: list[Intervention] = []
    for pair in range(len(pairs)):
        cause = parameters.CAUSES[pairs.cause[pair]]
        entitled = int(pairs.entitled_day[pair])
        expected = int(pairs.expected_days[pair])
        natural = int(pairs.natural_adopt_day[pair])
        if cause == "adopted":
            if natural < 7 or natural - max(entitled, 0) < 7:
                continue  # already adopted when the window opens: nothing to fix
            label, first, last = "too_early", max(entitled, 0), natural - 1
        else:
            label = cause
            first = max(entitled + expected // 2, 14)
            last = days - 8
        roll = rng.random()
        if last <= first or roll >= parameters.INTERVENTION_RATE[label]:
            if (
                label in parameters.SELF_ADOPTION_RATE
                and rng.random() < (parameters.SELF_ADOPTION_RATE[label])
            ):
                pairs.adopt_day[pair] = int(rng.integers(max(entitled, 0) + 30, days + 60))
            continue
        day = int(rng.integers(first, last + 1))
        choice = parameters.INTERVENTION_CHOICE[label]
        kind = parameters.INTERVENTION_TYPES[int(rng.choice(len(choice), p=choice))]
        effect = parameters.INTERVENTION_EFFECT[label][kind]
        base = parameters.SELF_ADOPTION_RATE.get(label, 0.0)
        worked = bool(rng.random() < base + effect)
        if worked:
            lag = int(rng.integers(*parameters.INTERVENTION_LAG_DAYS))
            pairs.adopt_day[pair] = min(int(pairs.adopt_day[pair]), day + lag)
            if pairs.trial_start[pair] > day:
                pairs.trial_start[pair] = day + 1
            pairs.trial_end[pair] = NEVER
        result.append(
            Intervention(
                intervention_id=f"iv-{len(result) + 1:05d}",
                pair=pair,
                account=int(pairs.account[pair]),
                feature=int(pairs.feature[pair]),
                kind=kind,
                day=day,
                second_of_day=int(rng.integers(14 * 3600, 22 * 3600)),
                cause=label,
                true_effect=effect,
                worked=worked,
            )
        )
    return result

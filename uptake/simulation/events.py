"""Segment messages: per-user daily counts drawn with numpy, one account at a time.

A user is active on a day with a probability that follows their weight, the weekday and the
account's engagement curve; feature events fall on active days only, at the rate the pair's
phase asks for (trial, adopted, abandoned). Identify and group calls precede each user's first
track event. The result is a column table of messages; mess and files come later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uptake.simulation import parameters
from uptake.simulation.adoption_states import NEVER, Pairs
from uptake.simulation.catalog import Catalog
from uptake.simulation.world import Account, World

TRACK, IDENTIFY, GROUP = 0, 1, 2
ERROR_CODES = ("timeout", "permission_denied", "validation_failed", "internal_error")
_DAY_MS = 86_400_000
_NORM = 7.0 / (5.0 + 2.0 * parameters.WEEKEND_FACTOR)  # keeps weekly totals at the nominal rate


@dataclass
class Messages:
    """One row per Segment message, before any mess: sorted by timestamp."""

    kind: np.ndarray  # int8 TRACK / IDENTIFY / GROUP
    timestamp_ms: np.ndarray  # int64 epoch milliseconds
    user: np.ndarray  # int32 global user number
    account: np.ndarray  # int32 account index
    event: np.ndarray  # int16 into vocabulary (-1 for identify/group)
    error: np.ndarray  # int8 into ERROR_CODES (-1: none)
    vocabulary: list[str]

    def __len__(self) -> int:
        return len(self.kind)


def _event_codes(
    rng: np.random.Generator,
    catalog: Catalog,
    feature: int,
    day: np.ndarray,
    vocab: dict[str, int],
    release: int,
) -> np.ndarray:
    names = catalog.features[feature].events
    if catalog.features[feature].key == catalog.rename["feature_key"]:
        # One event renamed in a release: old clients keep the old name for a while.
        old, new = vocab[catalog.rename["old"]], vocab[catalog.rename["new"]]
        overlap = (day >= release) & (day < release + parameters.RENAME_OVERLAP_DAYS)
        use_old = (day < release) | (overlap & (rng.random(len(day)) < 0.3))
        return np.where(use_old, old, new).astype(np.int16)
    codes = np.array([vocab[name] for name in names], dtype=np.int16)
    if len(codes) == 1:
        return np.full(len(day), codes[0], dtype=np.int16)
    return codes[(rng.random(len(day)) >= 0.65).astype(int)]


def cap_trailing_window(
    user: np.ndarray, day: np.ndarray, count: np.ndarray, limit: int, window: int = 30
) -> np.ndarray:
    """``count`` lowered, in day order per user, so that no ``window`` consecutive days of one
    user hold more than ``limit`` events. Rows must be sorted by user, then day."""
    capped = count.copy()
    kept: list[tuple[int, int]] = []  # (day, events kept) of the current user
    current = None
    for i in range(len(capped)):
        if user[i] != current:
            current, kept = user[i], []
        kept = [(d, c) for d, c in kept if d > day[i] - window]
        room = max(limit - sum(c for _, c in kept), 0)
        capped[i] = min(int(capped[i]), room)
        kept.append((int(day[i]), int(capped[i])))
    return capped


def _held_below_threshold(
    pairs: Pairs, row: int, day: np.ndarray, trial: np.ndarray, last: int
) -> np.ndarray:
    """Which of a pair's drawn (user, day) counts must stay below the adoption threshold.

    A user at the threshold would be adoption (docs/simulator.md), which would contradict the
    planted gap: a training trial never reaches it, and a product-fit trial that is still
    going (a trickle) does not in the account's last 30 days, where the truth is taken.
    """
    cause = int(pairs.cause[row])
    if cause == parameters.TRAINING:
        return trial[day]
    if cause == parameters.PRODUCT_FIT:
        return trial[day] & (day > last - 30)
    return np.zeros(len(day), dtype=bool)


def _pair_rates(
    pairs: Pairs, row: int, n_users: int, days: int, rng: np.random.Generator, first: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Per selected user x day rate (events per 30 days), trial-phase mask, users selected."""
    t = np.arange(days)
    entitled = max(int(pairs.entitled_day[row]), first)
    adopt = int(pairs.adopt_day[row])
    n_adopt = int(np.ceil(pairs.adopt_users[row] * n_users)) if adopt < NEVER else 0
    start = int(pairs.trial_start[row])
    n_trial = max(1, round(pairs.trial_users[row] * n_users)) if start < NEVER else 0
    n_sel = max(n_adopt, n_trial)
    rates = np.zeros((n_sel, days))
    if n_adopt:
        rates[:n_adopt, t >= max(adopt, entitled)] = pairs.adopt_rate[row]
    trial = np.zeros(days, dtype=bool)
    if n_trial:
        end = min(int(pairs.trial_end[row]), adopt - 1)
        trial = (t >= max(start, entitled)) & (t <= end)
        shape = np.ones(days)
        cause = int(pairs.cause[row])
        if cause == parameters.PRODUCT_FIT or pairs.trial_end[row] < NEVER:
            # Interest fades: full rate at first, then decay (to a trickle when it never stops).
            floor = 0.0 if pairs.trial_end[row] < NEVER else 0.25
            shape = np.maximum(np.exp(-np.clip(t - start, 0, None) / 25.0), floor)
        elif cause == parameters.TRAINING:
            weeks = rng.random(days // 7 + 1) < 0.8  # erratic: some weeks nothing at all
            shape = np.repeat(weeks, 7)[:days].astype(float)
        rates[:n_trial] += np.where(trial, pairs.trial_rate[row] * shape, 0.0)
    return rates, trial, n_sel


def _account_events(
    world: World,
    account: Account,
    pairs: Pairs,
    rows: np.ndarray,
    rng: np.random.Generator,
    vocab: dict[str, int],
    release: int,
) -> tuple[np.ndarray, ...]:
    days = world.window.days
    first, last = max(account.start_day, 0), account.last_day(world.window)
    users = np.arange(account.users.start, account.users.stop)
    n = len(users)
    t = np.arange(days)
    join = world.users.join_day[users][:, None]
    leave = world.users.leave_day[users][:, None]
    alive = (join <= t) & (leave > t) & (t >= first) & (t <= last)
    weekday = (np.datetime64(world.window.start, "D") + t).astype("datetime64[D]").view("int64")
    weekend = ((weekday + 3) % 7) >= 5  # 1970-01-01 was a Thursday
    weekday_factor = np.where(weekend, parameters.WEEKEND_FACTOR, 1.0)
    drive = world.engagement[account.index] * weekday_factor
    weight = world.users.weight[users][:, None]
    p_active = np.clip(parameters.ACTIVE_DAY_BASE * weight * drive, 0.01, 0.95) * alive
    active = rng.random((n, days)) < p_active

    parts_user, parts_day, parts_count, parts_code, parts_err = [], [], [], [], []

    def add(
        u: np.ndarray, d: np.ndarray, count: np.ndarray, code: np.ndarray, err: np.ndarray
    ) -> None:
        parts_user.append(users[u])
        parts_day.append(d)
        parts_count.append(count)
        parts_code.append(code)
        parts_err.append(err)

    sign_in = active & (rng.random((n, days)) < parameters.SIGN_IN_PER_ACTIVE_DAY)
    u, d = np.nonzero(sign_in)
    add(
        u,
        d,
        np.ones(len(u), dtype=np.int64),
        np.full(len(u), vocab[world.catalog.base_events[0]]),
        np.zeros(len(u), dtype=bool),
    )
    views = rng.poisson(parameters.PAGE_VIEWS_PER_ACTIVE_DAY, (n, days)) * active
    u, d = np.nonzero(views)
    add(
        u,
        d,
        views[u, d],
        np.full(len(u), vocab[world.catalog.base_events[1]]),
        np.zeros(len(u), dtype=bool),
    )

    for row in rows:
        if pairs.entitled_day[row] > last:
            continue
        feature = int(pairs.feature[row])
        order = rng.permutation(n)
        rates, trial, n_sel = _pair_rates(pairs, row, n, days, rng, first)
        if n_sel:
            selected = order[:n_sel]
            mask = active[selected] & (rates > 0)
            su, sd = np.nonzero(mask)
            expected = rates[su, sd] / 30.0 * drive[sd] * _NORM / p_active[selected[su], sd]
            counts = rng.poisson(expected)
            capped = _held_below_threshold(pairs, row, sd, trial, last)
            if capped.any():
                counts[capped] = cap_trailing_window(
                    su[capped],
                    sd[capped],
                    counts[capped],
                    world.catalog.features[feature].active_min_events_30d - 1,
                )
            keep = counts > 0
            su, sd, counts = su[keep], sd[keep], counts[keep]
            err_share = np.where(trial[sd], pairs.error_share[row], 0.0)
            err = rng.random(len(sd)) < err_share + parameters.BACKGROUND_ERROR_RATE
            add(selected[su], sd, counts, np.full(len(sd), -1 - feature), err)
        for _ in range(int(pairs.stray_clicks[row])):
            low = max(int(pairs.entitled_day[row]), first)
            if low > last:
                break
            day = int(rng.integers(low, last + 1))
            present = np.nonzero(alive[:, day])[0]
            if len(present):
                who = np.array([present[int(rng.integers(len(present)))]])
                add(
                    who,
                    np.array([day]),
                    np.ones(1, dtype=np.int64),
                    np.array([-1 - feature]),
                    np.zeros(1, dtype=bool),
                )

    user = np.concatenate(parts_user).astype(np.int32)
    day = np.concatenate(parts_day).astype(np.int64)
    count = np.concatenate(parts_count).astype(np.int64)
    code = np.concatenate(parts_code).astype(np.int64)
    err = np.concatenate(parts_err)
    user, day, code, err = (np.repeat(a, count) for a in (user, day, code, err))
    # Feature events carry -1 - feature index until the event name is chosen by day.
    names = code.copy()
    for feature in np.unique(code[code < 0]):
        where = code == feature
        names[where] = _event_codes(
            rng, world.catalog, int(-1 - feature), day[where], vocab, release
        )
    seconds = np.clip(rng.normal(15.5 * 3600, 3.5 * 3600, len(day)), 0, 86399.0)
    epoch_day = np.datetime64(world.window.start, "D").astype(np.int64) + day
    stamp = epoch_day * _DAY_MS + (seconds * 1000).astype(np.int64)
    error = np.where(err, rng.integers(0, len(ERROR_CODES), len(err)), -1)
    return stamp, user, names.astype(np.int16), error.astype(np.int8)


def build_messages(world: World, pairs: Pairs, seed: int) -> Messages:
    vocab_list = world.catalog.event_vocabulary()
    vocab = {name: index for index, name in enumerate(vocab_list)}
    release = world.window.days // 2  # the release that renamed an event
    order = np.argsort(pairs.account, kind="stable")
    bounds = np.searchsorted(pairs.account[order], np.arange(len(world.accounts) + 1))
    stamps, users, codes, errors = [], [], [], []
    for account in world.accounts:
        if max(account.start_day, 0) > account.last_day(world.window):
            continue
        rng = np.random.default_rng([seed, 11, account.index])
        rows = order[bounds[account.index] : bounds[account.index + 1]]
        stamp, user, code, error = _account_events(world, account, pairs, rows, rng, vocab, release)
        stamps.append(stamp)
        users.append(user)
        codes.append(code)
        errors.append(error)
    stamp = np.concatenate(stamps)
    user = np.concatenate(users)
    code = np.concatenate(codes)
    error = np.concatenate(errors)

    # Identify and group calls a little before each user's first track event.
    rng = np.random.default_rng([seed, 12])
    first_seen = np.full(len(world.users.account), np.iinfo(np.int64).max)
    np.minimum.at(first_seen, user, stamp)
    seen = np.nonzero(first_seen < np.iinfo(np.int64).max)[0]
    # Never before the window: users whose first event is right at its start get squeezed.
    room = first_seen[seen] - np.datetime64(world.window.start, "D").astype(np.int64) * _DAY_MS
    identify_at = first_seen[seen] - np.minimum(rng.integers(60_000, 3_600_000, len(seen)), room)
    group_at = first_seen[seen] - np.minimum(rng.integers(1_000, 59_000, len(seen)), room // 2)
    again = seen[rng.random(len(seen)) < 0.15]  # some users are identified again later
    again_at = first_seen[again] + rng.integers(1, 120, len(again)) * _DAY_MS
    again_at = np.minimum(again_at, _last_ms(world, again))

    kind = np.concatenate(
        [
            np.full(len(stamp), TRACK),
            np.full(len(seen), IDENTIFY),
            np.full(len(seen), GROUP),
            np.full(len(again), IDENTIFY),
        ]
    ).astype(np.int8)
    all_stamp = np.concatenate([stamp, identify_at, group_at, again_at])
    all_user = np.concatenate([user, seen, seen, again]).astype(np.int32)
    extra = len(kind) - len(stamp)
    all_code = np.concatenate([code, np.full(extra, -1, dtype=np.int16)])
    all_error = np.concatenate([error, np.full(extra, -1, dtype=np.int8)])
    order = np.lexsort((all_user, all_stamp))
    return Messages(
        kind=kind[order],
        timestamp_ms=all_stamp[order],
        user=all_user[order],
        account=world.users.account[all_user[order]],
        event=all_code[order],
        error=all_error[order],
        vocabulary=vocab_list,
    )


def _last_ms(world: World, users: np.ndarray) -> np.ndarray:
    """Last millisecond each user's account can send anything."""
    last_day = np.array([a.last_day(world.window) for a in world.accounts])[
        world.users.account[users]
    ]
    epoch = np.datetime64(world.window.start, "D").astype(np.int64)
    return (epoch + last_day + 1) * _DAY_MS - 1

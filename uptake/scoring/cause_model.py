"""The fitted root-cause model: gradient-boosted trees over a gap's observable signals.

``cause_signals`` turns the gap frame's columns (defined in dbt, plus the ticket and note
counts scoring adds) into the numeric signals the model reads; ``CauseModel`` gives, per gap,
the probability of each cause (training, product_fit, urgency, not_relevant) and of "not a
gap" (a pair that looks like a gap here but is adopted or still early), and says which signals
pushed the stated cause up. The trees live in ``ml/root_cause.toml``, written by
``uptake.simulation.cause_fit`` from the development seeds' planted causes (docs/scoring.md);
the pipeline never reads planted truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from uptake.fitted_toml import read_fitted_toml
from uptake.scoring.relevance import adopted_before, own_use
from uptake.scoring.rules import (
    LOW_USE_CASE_PEER_RATE,
    NO_RENEWAL_PRESSURE_DAYS,
    ROOT_CAUSES,
    SPORADIC_USE_DAYS,
    TICKET_CAP,
    TRIAL_PACE_SPLIT,
)

# Gap-frame columns the signals are computed from; a missing one is an error naming it.
SIGNAL_INPUTS: tuple[str, ...] = (
    "adoption_status",
    "events_to_date",
    "unused_for_days",
    "use_pace",
    "peak_pace",
    "failed_events_to_date",
    "first_adopted_date",
    "use_span_days",
    "users_to_date",
    "account_active_users_30d",
    "how_to_tickets",
    "bug_tickets",
    "feature_request_tickets",
    "complaint_tickets",
    "training_notes",
    "product_fit_notes",
    "urgency_notes",
    "not_relevant_notes",
    "negative_feature_notes",
    "negative_account_notes",
    "use_case_peer_rate",
    "peer_use_rate",
    "renewal_in_days",
    "category",
    "adoption_score",
    "relevance",
    "overdue_days",
    "entitled_for_days",
    "interventions_to_date",
    "tickets_in_lookback",
    "notes_in_lookback",
)

# Neutral values for a signal whose input is empty for a gap (a column that is absent is an
# error, not a fallback): no adoption score -> the middle. The churn probability is not a
# signal: the cause should not change with whichever churn scorer is live (docs/scoring.md).
UNKNOWN_ADOPTION_SCORE = 50.0
UNKNOWN_RENEWAL_DAYS = 365.0


# The model's classes: the root causes, and pairs that are no gap at all (adopted, or too early).
# Decisions compare the causes among themselves; the stated confidence is the cause's own
# probability, so it already allows for the chance that the pair is no gap.
NOT_A_GAP = "not_a_gap"
MODEL_CLASSES: tuple[str, ...] = (*ROOT_CAUSES, NOT_A_GAP)


class CauseModelError(ValueError):
    """The root-cause model file or the gaps it is applied to do not fit together."""


def _num(gaps: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(gaps[column], errors="coerce")


def _flag(condition: pd.Series) -> pd.Series:
    return condition.fillna(False).astype(bool).astype(float)


def _count(gaps: pd.DataFrame, column: str, cap: float) -> pd.Series:
    return _num(gaps, column).fillna(0).clip(lower=0, upper=cap)


def cause_signals(gaps: pd.DataFrame) -> pd.DataFrame:
    """One numeric column per signal of ``CAUSE_SIGNALS``, aligned with ``gaps``."""
    missing = [column for column in SIGNAL_INPUTS if column not in gaps.columns]
    if missing:
        raise CauseModelError(f"the gaps lack column(s) the root-cause model reads: {missing}")
    status = own_use(gaps)  # one or two events in all history count as never used
    trying, abandoned, never = status == "trying", status == "abandoned", status == "never_used"
    tried = trying | abandoned
    last_use = _num(gaps, "unused_for_days")
    lately = abandoned & (last_use <= SPORADIC_USE_DAYS)
    pace = _num(gaps, "use_pace")
    peak = _num(gaps, "peak_pace")
    renewal = _num(gaps, "renewal_in_days")
    peer_rate = _num(gaps, "use_case_peer_rate")
    failed = _count(gaps, "failed_events_to_date", np.inf)
    signals = {
        "is_trying": _flag(trying),
        "abandoned_lately": _flag(lately),
        "abandoned_long_ago": _flag(abandoned & ~lately),
        "never_used": _flag(never),
        "light_trial": _flag(tried & (pace < TRIAL_PACE_SPLIT)),
        "serious_trial": _flag(tried & (pace >= TRIAL_PACE_SPLIT)),
        # log of the pace while used (0 when not tried or unknown)
        "log_trial_pace": np.log(pace.clip(0.01, 10)).where(tried & pace.notna(), 0.0),
        # the same in its busiest 30 days: a product-fit trial starts hard and fades, a
        # training gap's users never get near the threshold (docs/scoring.md)
        "log_peak_pace": np.log(peak.clip(0.01, 10)).where(tried & peak.notna(), 0.0),
        # failed attempts (events carrying an error): struggling users fail, a never-tried
        # feature does not (docs/scoring.md)
        "log_failed_events": np.log1p(failed),
        "failed_share": (failed / _num(gaps, "events_to_date").fillna(0).clip(lower=1)).clip(
            upper=1.0
        ),
        # adopted once (a user at the threshold in some 30 days) and dropped since: users who
        # mastered it and left it found no fit; a struggling user never got there
        "adopted_once": _flag(adopted_before(gaps)),
        "how_to_tickets": _count(gaps, "how_to_tickets", TICKET_CAP),
        "bug_tickets": _count(gaps, "bug_tickets", 2),
        "feature_request_tickets": _count(gaps, "feature_request_tickets", TICKET_CAP),
        "complaint_tickets": _count(gaps, "complaint_tickets", TICKET_CAP),
        "training_notes": _count(gaps, "training_notes", 2),
        "product_fit_notes": _count(gaps, "product_fit_notes", 2),
        "urgency_notes": _count(gaps, "urgency_notes", 2),
        "not_relevant_notes": _count(gaps, "not_relevant_notes", 2),
        "negative_feature_notes": _count(gaps, "negative_feature_notes", 2),
        "negative_account_notes": _count(gaps, "negative_account_notes", 1),
        "tried_where_use_case_peers_low": _flag((peer_rate < LOW_USE_CASE_PEER_RATE) & ~never),
        "renewal_far_or_unknown": _flag(renewal.isna() | (renewal > NO_RENEWAL_PRESSURE_DAYS)),
        "renewal_in_years": renewal.fillna(UNKNOWN_RENEWAL_DAYS).clip(0, 400) / 365.0,
        "users_tried_share": (
            _num(gaps, "users_to_date").fillna(0)
            / _num(gaps, "account_active_users_30d").fillna(0).clip(lower=1)
        ).clip(upper=2),
        "log_events_to_date": np.log1p(_num(gaps, "events_to_date").fillna(0).clip(lower=0)),
        "trial_span_100d": (_num(gaps, "use_span_days").fillna(0) / 100.0).where(tried, 0.0),
        "is_advanced": _flag(gaps["category"] == "advanced"),
        "is_premium": _flag(gaps["category"] == "premium"),
        "adoption_score_share": _num(gaps, "adoption_score").fillna(UNKNOWN_ADOPTION_SCORE) / 100,
        "relevance": _num(gaps, "relevance").fillna(1.0),
        # peers that found some use for it, adopted or not: relevance counts only the peers
        # that adopted, and in a use case that needs the feature many have gaps of their own
        "peer_use_rate": _num(gaps, "peer_use_rate").fillna(1.0),
        # how long the gap has been open, the account's size in users, how much was said and
        # done about the feature (trees only split on these; the scales are for reading)
        "overdue_100d": _num(gaps, "overdue_days").fillna(0) / 100.0,
        "entitled_years": _num(gaps, "entitled_for_days").fillna(0).clip(lower=0) / 365.0,
        "log_account_active_users": np.log1p(
            _num(gaps, "account_active_users_30d").fillna(0).clip(lower=0)
        ),
        "interventions_to_date": _count(gaps, "interventions_to_date", np.inf),
        "tickets_in_lookback": _count(gaps, "tickets_in_lookback", np.inf),
        "notes_in_lookback": _count(gaps, "notes_in_lookback", np.inf),
    }
    return pd.DataFrame(signals, index=gaps.index).astype(float)


CAUSE_SIGNALS: tuple[str, ...] = tuple(
    cause_signals(
        pd.DataFrame({column: pd.Series([], dtype=object) for column in SIGNAL_INPUTS})
    ).columns
)


@dataclass(frozen=True)
class Tree:
    """One regression tree of the ensemble, as parallel node arrays (node 0 is the root)."""

    feature: np.ndarray  # the signal a split reads (index into ``signals``); -1 at a leaf
    threshold: np.ndarray  # a row goes left when its value is <= the threshold
    left: np.ndarray
    right: np.ndarray
    # a leaf's output; at a split, the mean output of its leaves weighted by training rows,
    # so the change along a row's path says how much each split moved it (its reasons)
    value: np.ndarray

    def __post_init__(self) -> None:
        size = len(self.feature)
        arrays = (self.threshold, self.left, self.right, self.value)
        if size == 0 or any(len(array) != size for array in arrays):
            raise CauseModelError("a tree needs nodes, with every array one value per node")
        # children come after their split (as the fit writes them), so a walk always ends
        split = np.flatnonzero(self.feature >= 0)
        children = np.concatenate([self.left[split], self.right[split]])
        parents = np.concatenate([split, split])
        if ((children <= parents) | (children >= size)).any():
            raise CauseModelError("a tree's split points outside the tree or back up it")

    def walk(
        self, values: np.ndarray, reasons: np.ndarray | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """Each row's leaf output; with ``reasons`` (rows x signals), adds to it how much each
        split on the way moved the row's output (times ``scale``)."""
        rows = np.arange(len(values))
        node = np.zeros(len(values), dtype=int)
        while True:
            feature = self.feature[node]
            moving = feature >= 0
            if not moving.any():
                return self.value[node]
            read = values[rows[moving], feature[moving]]
            parent = node[moving]
            # NaN never reaches here (cause_signals fills every signal), so no third branch
            child = np.where(read <= self.threshold[parent], self.left[parent], self.right[parent])
            if reasons is not None:
                moved = self.value[child] - self.value[parent]
                reasons[rows[moving], feature[moving]] += scale * moved
            node[moving] = child


@dataclass(frozen=True)
class CauseModel:
    """Signals -> gradient-boosted trees per class -> softmax over ``classes``: a class's score
    is its baseline plus ``learning_rate`` times the sum of its trees' outputs."""

    version: str
    classes: tuple[str, ...]
    signals: tuple[str, ...]
    baseline: np.ndarray  # per class
    learning_rate: float
    trees: tuple[tuple[Tree, ...], ...]  # per class, in boosting order
    not_relevant_threshold: float  # not_relevant is stated when its share exceeds this ...
    not_relevant_threshold_if_need_shown: float  # ... or this, when the account showed a need

    def read(self, gaps: pd.DataFrame) -> np.ndarray:
        """The gaps' signal values, in ``signals`` order."""
        return cause_signals(gaps)[list(self.signals)].to_numpy(dtype=float)

    def scores(self, values: np.ndarray, reasons: np.ndarray | None = None) -> np.ndarray:
        """Rows x classes scores; with ``reasons`` (rows x classes x signals) filled in with
        each signal's part of each class's score."""
        scores = np.tile(self.baseline, (len(values), 1)).astype(float)
        for k, class_trees in enumerate(self.trees):
            for tree in class_trees:
                into = None if reasons is None else reasons[:, k, :]
                scores[:, k] += self.learning_rate * tree.walk(values, into, self.learning_rate)
        return scores

    def probabilities_of(self, values: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """P(cause | signals), one column per class, rows summing to 1."""
        logits = self.scores(values)
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return pd.DataFrame(
            weights / weights.sum(axis=1, keepdims=True), columns=self.classes, index=index
        )

    def probabilities(self, gaps: pd.DataFrame) -> pd.DataFrame:
        return self.probabilities_of(self.read(gaps), gaps.index)

    def top_signals(self, values: np.ndarray, causes: pd.Series, k: int = 3) -> list[list[str]]:
        """Per gap (``values`` from ``read``), the ``k`` signals present in it (non-zero) that
        raised the stated cause most against the others: along each tree's path, the change a
        split on the signal made to that cause's score minus its mean change over the classes.
        An absent signal (no ticket, not abandoned) is never a reason."""
        reasons = np.zeros((len(values), len(self.classes), len(self.signals)))
        self.scores(values, reasons)
        relative = reasons - reasons.mean(axis=1, keepdims=True)
        rows = [self.classes.index(cause) for cause in causes]
        pushes = np.where(values != 0, relative[np.arange(len(values)), rows], 0.0)
        names = np.array(self.signals)
        return [
            [str(names[j]) for j in np.argsort(-push, kind="stable")[:k] if push[j] > 0]
            for push in pushes
        ]


def _tree(raw: dict, width: int, where: str) -> Tree:
    try:
        tree = Tree(
            feature=np.asarray(raw["feature"], dtype=int),
            threshold=np.asarray(raw["threshold"], dtype=float),
            left=np.asarray(raw["left"], dtype=int),
            right=np.asarray(raw["right"], dtype=int),
            value=np.asarray(raw["value"], dtype=float),
        )
    except CauseModelError as wrong:
        raise CauseModelError(f"{where}: {wrong}") from None
    if (tree.feature >= width).any():
        raise CauseModelError(f"{where}: a split reads a signal the file does not list")
    return tree


def load_cause_model(path: Path) -> CauseModel:
    """Read and check ``ml/root_cause.toml``; a malformed file is an error naming the key."""
    raw = read_fitted_toml(path, CauseModelError, "root-cause model")
    name = path.name
    try:
        fitted = raw["fitted"]
        classes = tuple(fitted["classes"])
        if set(classes) != set(MODEL_CLASSES):
            raise CauseModelError(f"{name}: classes {classes} are not {MODEL_CLASSES}")
        signals = tuple(fitted["signals"])
        baseline = np.asarray(fitted["baseline"], dtype=float)
        learning_rate = float(fitted["learning_rate"])
        tree_tables = fitted["tree"]
        class_of = [str(table["class"]) for table in tree_tables]
        threshold = float(raw["decision"]["not_relevant_threshold"])
        threshold_if_need = float(raw["decision"]["not_relevant_threshold_if_need_shown"])
        version = str(raw["version"])
        unknown = sorted(set(signals) - set(CAUSE_SIGNALS))
        if unknown:
            raise CauseModelError(f"{name}: unknown signal(s) {unknown}")
        if baseline.shape != (len(classes),) or not learning_rate > 0:
            raise CauseModelError(f"{name}: one baseline per class and a positive learning_rate")
        strangers = sorted(set(class_of) - set(classes))
        if strangers:
            raise CauseModelError(f"{name}: trees of unknown classes {strangers}")
        trees = tuple(
            tuple(
                _tree(table, len(signals), f"{name}: tree {i} ({cause})")
                for i, table in enumerate(tree_tables)
                if table["class"] == cause
            )
            for cause in classes
        )
    except KeyError as missing:
        raise CauseModelError(f"{name}: missing key {missing}") from None
    for key, value in (
        ("not_relevant_threshold", threshold),
        ("not_relevant_threshold_if_need_shown", threshold_if_need),
    ):
        if not 0.0 < value < 1.0:
            raise CauseModelError(f"{name}: decision.{key} must be in (0, 1)")
    return CauseModel(
        version,
        classes,
        signals,
        baseline,
        learning_rate,
        trees,
        threshold,
        threshold_if_need,
    )

"""Feature helpers shared by training and scoring: the rule baseline, text, tags, sentiment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

INTENTS: tuple[str, ...] = ("how-to", "bug", "feature-request", "complaint")

# --- Rule-based health score (the churn baseline) -------------------------------------------
# health (0-100, higher = healthier) =
#     35 * min(adoption_depth_pct / 65, 1)          depth against the "world class" moderate band
#   + 25 * min(license_utilization / 0.8, 1)        80% of seats active counts as full
#   + 20 * (clip(trend, -1, 1) + 1) / 2             trend = events_30d / events_prev_30d - 1
#   + 20 * (1 - min(tickets_30d / 5, 1))            five tickets a month or more scores zero
# risk = 1 - health / 100. Missing inputs take the neutral value (depth 32.5, utilization 0.4,
# trend 0, tickets 0) so a missing column lowers nothing by itself.
HEALTH_WEIGHTS = {"depth": 35.0, "utilization": 25.0, "trend": 20.0, "tickets": 20.0}
HEALTH_INPUTS = ("adoption_depth_pct", "license_utilization", "usage_trend_30d", "tickets_30d")


def _column(frame: pd.DataFrame, name: str, default: float) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float).fillna(default)


def usage_trend(frame: pd.DataFrame) -> pd.Series:
    """Relative change of events, last 30 days vs the 30 before, clipped to [-1, 1]."""
    if {"events_30d", "events_prev_30d"} <= set(frame.columns):
        now = _column(frame, "events_30d", 0.0)
        before = _column(frame, "events_prev_30d", 0.0)
        trend = np.where(
            before > 0, now / before.clip(lower=1e-9) - 1.0, np.where(now > 0, 1.0, 0.0)
        )
        return pd.Series(np.clip(trend, -1.0, 1.0), index=frame.index)
    return _column(frame, "usage_trend_30d", 0.0).clip(-1.0, 1.0)


def health_score(frame: pd.DataFrame) -> pd.Series:
    """The documented rule-based health score, 0-100, from a snapshot-shaped frame."""
    depth = (_column(frame, "adoption_depth_pct", 32.5) / 65.0).clip(0.0, 1.0)
    utilization = (_column(frame, "license_utilization", 0.4) / 0.8).clip(0.0, 1.0)
    trend = (usage_trend(frame) + 1.0) / 2.0
    tickets = 1.0 - (_column(frame, "tickets_30d", 0.0) / 5.0).clip(0.0, 1.0)
    w = HEALTH_WEIGHTS
    return (
        w["depth"] * depth
        + w["utilization"] * utilization
        + w["trend"] * trend
        + w["tickets"] * tickets
    )


def health_risk(frame: pd.DataFrame) -> pd.Series:
    """Baseline churn risk in [0, 1]: 1 - health / 100 (a ranking, not a calibrated probability)."""
    return 1.0 - health_score(frame) / 100.0


# --- Ticket text and intent tags ------------------------------------------------------------
def ticket_text(frame: pd.DataFrame) -> pd.Series:
    subject = frame["subject"].fillna("").astype(str)
    description = frame["description"].fillna("").astype(str)
    return (subject + ". " + description).str.strip()


def ticket_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A ticket's subject and description as the text classifier's ``title`` and ``body``."""
    return pd.DataFrame(
        {
            "title": frame["subject"].fillna("").astype(str).to_numpy(),
            "body": frame["description"].fillna("").astype(str).to_numpy(),
        }
    )


def split_tags(tags: object) -> list[str]:
    """Tags arrive as a list, a numpy array or a ``|``/``,``-joined string."""
    if tags is None:
        return []
    if isinstance(tags, str):
        parts: Iterable[object] = re.split(r"[|,]", tags)
    elif isinstance(tags, Iterable):
        parts = tags
    else:
        return []
    return [str(p).strip().lower().replace("_", "-") for p in parts if str(p).strip()]


def intent_from_tags(tags: object, intents: Sequence[str] = INTENTS) -> str | None:
    """The first intent tag on a ticket, or None (unlabeled) when it has none."""
    for tag in split_tags(tags):
        if tag in intents:
            return tag
    return None


# Keyword rule: the classifier's baseline and the fallback when no champion model exists.
KEYWORD_INTENT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bug", ("error", "crash", "broken", "fails", "failing", "bug", "500", "exception")),
    ("feature-request", ("would be great", "please add", "feature request", "wish", "support for")),
    ("complaint", ("unacceptable", "frustrat", "disappoint", "cancel", "refund", "terrible")),
    ("how-to", ("how do", "how to", "how can", "where is", "set up", "configure", "?")),
)


def keyword_intent(text: str) -> str:
    lowered = text.lower()
    for intent, keywords in KEYWORD_INTENT:
        if any(keyword in lowered for keyword in keywords):
            return intent
    return "how-to"  # a question without keywords is most often a how-to


# --- Rule-based note sentiment ---------------------------------------------------------------
NEGATIVE_WORDS = (
    "frustrat", "confus", "disappoint", "unhappy", "angry", "complain", "cancel", "churn",
    "not working", "broken", "useless", "too slow", "doesn't fit", "does not fit", "not a fit",
    "don't need", "do not need", "not relevant", "no value", "competitor", "switch", "escalat",
    "struggl", "blocked", "poor",
)  # fmt: skip
POSITIVE_WORDS = (
    "happy", "great", "love", "excited", "pleased", "value", "success", "expand", "champion",
    "smooth", "impressed", "thank",
)  # fmt: skip


def note_sentiment(text: str) -> float:
    """(positive hits - negative hits) / hits, in [-1, 1]; 0 when no word matches.

    Negations of positives ("no value") are caught because negative phrases are matched first
    and their span is removed before positives are counted.
    """
    lowered = (text or "").lower()
    negative = 0
    for word in NEGATIVE_WORDS:
        hits = lowered.count(word)
        if hits:
            negative += hits
            lowered = lowered.replace(word, " ")
    positive = sum(lowered.count(word) for word in POSITIVE_WORDS)
    total = positive + negative
    return 0.0 if total == 0 else (positive - negative) / total


# --- Rule-based note themes -------------------------------------------------------------------
# Sentiment alone does not say why: "users are confused" and "it does not fit" are both negative.
# A note naming a feature is matched against four phrase lists, one per root cause.
NOTE_THEMES: dict[str, tuple[str, ...]] = {
    "training": (
        "struggl", "confus", "how to", "walkthrough", "hard to use", "guidance", "training",
        "don't know how", "do not know how", "stuck", "help center",
    ),
    "product_fit": (
        "does not fit", "doesn't fit", "not a fit", "missing what they need", "not working for",
        "went back to", "workaround", "lacks", "competitor", "negative",
    ),
    "not_relevant": (
        "does not really apply", "doesn't apply", "does not apply", "no need", "not relevant",
        "don't need", "do not need", "not applicable",
    ),
    "urgency": (
        "later", "not a priority", "other projects", "come first", "revisit", "next quarter",
        "no time", "busy",
    ),
}  # fmt: skip


def note_themes(text: str) -> set[str]:
    """The root-cause themes a note's wording points to (possibly several, possibly none)."""
    lowered = (text or "").lower()
    return {theme for theme, phrases in NOTE_THEMES.items() if any(p in lowered for p in phrases)}

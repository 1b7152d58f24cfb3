"""Every tunable number of the simulator, in one place, so docs/simulator.md can quote them.

Rates are probabilities per account x feature pair unless a name says otherwise. The
``SIGNAL_RATES`` tables are the heart of the "honest truth" rule (docs/simulator.md): each root
cause leaves its signals only with some probability, and other causes leave the same signals at
lower rates, so no single rule recovers the truth. ``hard`` moves the rates closer together.
"""

from __future__ import annotations

from datetime import date

DEFAULT_END_DATE = date(2026, 10, 31)
DIFFICULTIES = ("standard", "hard", "plain")

PRESETS: dict[str, dict[str, int]] = {
    "tiny": {"accounts": 12, "months": 4},
    "demo": {"accounts": 150, "months": 18},
    "large": {"accounts": 2000, "months": 24},
}

# Latent causes of a pair. "adopted" is a natural adopter; "too_early" is never latent, only a
# truth label given by time (entitled less than expected_days_to_adopt ago, not adopted yet).
CAUSES = ("adopted", "training", "product_fit", "urgency", "not_relevant")
ADOPTED, TRAINING, PRODUCT_FIT, URGENCY, NOT_RELEVANT = range(5)
TRUTH_ROOT_CAUSES = ("training", "product_fit", "urgency", "not_relevant", "too_early")

# A pair counts as adopted at a date when full usage began at least this many days before it.
ADOPTED_AFTER_DAYS = 14

# --- accounts and contracts -------------------------------------------------------------------
NEW_ACCOUNT_SHARE = 0.2  # contracts that start inside the simulated window
MAX_TENURE_DAYS_AT_START = 1100  # existing accounts started up to ~3 years before the window
SEMIANNUAL_TERM_SHARE = {"starter": 0.75, "growth": 0.45, "enterprise": 0.0}
PRICE_PER_SEAT = {"starter": 240.0, "growth": 480.0, "enterprise": 900.0}
SEAT_RANGE = {"starter": (5, 25), "growth": (10, 80), "enterprise": (25, 250)}
UPGRADE_SHARE = 0.15  # starter/growth accounts moving one plan up mid-term (Expansion won)
SEAT_EXPANSION_SHARE = 0.12
LOST_EXPANSION_SHARE = 0.05
OPEN_EXPANSION_SHARE = 0.06
DOWNGRADE_SHARE = 0.10  # renewals won with fewer seats (Downgrade won), more for weak accounts
OWNER_CHANGE_SHARE = 0.12
ACCOUNTS_PER_CSM = 20
MAX_USERS_PER_ACCOUNT = 100
USER_LEAVE_SHARE = 0.08

# --- usage -----------------------------------------------------------------------------------
ACTIVE_DAY_BASE = 0.45  # chance a user of average weight is active on a weekday
WEEKEND_FACTOR = 0.15
SIGN_IN_PER_ACTIVE_DAY = 0.3
PAGE_VIEWS_PER_ACTIVE_DAY = 0.25
ADOPTED_RATE_MULTIPLIER = (1.6, 3.2)  # x active_min_events_30d per 30 days per adopting user
ADOPTING_USER_SHARE = (0.35, 0.85)
# Training gaps stay below the catalog threshold (adopted = one user at it, so a struggling user
# who reached it would not be a gap): 0.1-0.35 x the threshold per 30 days.
TRIAL_RATE_MULTIPLIER = {"training": (0.1, 0.35), "product_fit": (0.8, 1.8)}
TRIAL_USER_SHARE = {"training": (0.15, 0.4), "product_fit": (0.2, 0.5)}
BACKGROUND_ERROR_RATE = 0.004  # share of any feature event that carries properties.error
ERROR_SHARE_WHEN_STRUGGLING = 0.3  # share of a pair's trial events with properties.error
RENAME_OVERLAP_DAYS = 14  # old clients keep sending the old name for a while

# --- adoption --------------------------------------------------------------------------------
ADOPT_BASE = {"core": 0.85, "advanced": 0.55, "premium": 0.45}  # P(adopt | relevant), health 0
ADOPT_HEALTH_SLOPE = 0.8  # on the logit scale per standard deviation of latent health

# --- interventions ---------------------------------------------------------------------------
INTERVENTION_TYPES = (
    "training",
    "in_app_guide",
    "technical_onboarding",
    "exec_alignment",
    "success_plan",
    "webinar",
)
# P(a pair with this latent cause gets one intervention during the window)
INTERVENTION_RATE = {
    "training": 0.3,
    "product_fit": 0.25,
    "urgency": 0.3,
    "not_relevant": 0.12,
    "too_early": 0.08,
}
# CSMs do not know the cause: the type they choose is only loosely related to it.
INTERVENTION_CHOICE = {
    "training": (0.42, 0.25, 0.1, 0.08, 0.1, 0.05),
    "product_fit": (0.3, 0.2, 0.2, 0.1, 0.15, 0.05),
    "urgency": (0.2, 0.15, 0.05, 0.3, 0.27, 0.03),
    "not_relevant": (0.3, 0.25, 0.1, 0.15, 0.15, 0.05),
    "too_early": (0.35, 0.25, 0.3, 0.0, 0.05, 0.05),
}
# True lift on P(adopt within ~60 days) by latent cause x intervention type. Training on a
# product-fit gap does nothing; exec alignment and success plans fix urgency gaps.
INTERVENTION_EFFECT = {
    "training": {
        "training": 0.6,
        "in_app_guide": 0.4,
        "technical_onboarding": 0.3,
        "exec_alignment": 0.05,
        "success_plan": 0.1,
        "webinar": 0.15,
    },
    "product_fit": {
        "training": 0.0,
        "in_app_guide": 0.0,
        "technical_onboarding": 0.1,
        "exec_alignment": 0.0,
        "success_plan": 0.05,
        "webinar": 0.0,
    },
    "urgency": {
        "training": 0.1,
        "in_app_guide": 0.05,
        "technical_onboarding": 0.0,
        "exec_alignment": 0.5,
        "success_plan": 0.45,
        "webinar": 0.05,
    },
    "not_relevant": {kind: 0.0 for kind in INTERVENTION_TYPES},
    "too_early": {
        "training": 0.3,
        "in_app_guide": 0.3,
        "technical_onboarding": 0.35,
        "exec_alignment": 0.1,
        "success_plan": 0.1,
        "webinar": 0.1,
    },
}
# Without any intervention a gap closes by itself with this probability over the window.
SELF_ADOPTION_RATE = {"training": 0.08, "product_fit": 0.02, "urgency": 0.08, "not_relevant": 0.0}
INTERVENTION_LAG_DAYS = (10, 45)  # from start to full usage when it works

# --- churn: logit(p) = sum of the terms below + Normal(0, noise) ------------------------------
CHURN_DECISION_LEAD_DAYS = 90  # the inputs below are read this many days before the close date
CHURN_COEFFICIENTS = {
    "intercept": -2.0,
    "weighted_depth": 3.5,  # x (0.5 - weighted adoption depth at the close date, 0..1)
    "usage_trend": 2.5,  # x -(usage in the last 30 days / the 30 before - 1)
    "ticket_load": 0.6,  # x log(1 + tickets created in the 90 days before the close date)
    "license_utilization": 1.0,  # x (0.5 - users / seats)
    "noise": 0.7,
}
DECLINE_BASE_LOGIT = -1.3  # P(an account goes through a usage decline) = sigmoid(this - 0.8 h)

# --- support and notes -----------------------------------------------------------------------
TICKET_INTENTS = ("how-to", "bug", "feature-request", "complaint")
INTENT_TAG_SHARE = 0.6
FEATURE_TAG_SHARE = 0.7
TICKET_TYPE_BY_INTENT = {  # question, problem, incident, task
    "how-to": (0.85, 0.05, 0.0, 0.1),
    "bug": (0.05, 0.6, 0.35, 0.0),
    "feature-request": (0.4, 0.1, 0.0, 0.5),
    "complaint": (0.3, 0.5, 0.2, 0.0),
}
GENERAL_TICKETS_PER_MONTH = 0.35  # tickets not about a feature (billing, access), health 0
ROUTINE_NOTES_PER_MONTH = 1.0

# Signals by latent cause: probability that a pair shows the signal at least once.
_STANDARD = {
    "adopted": {
        "error_events": 0.05,
        "how_to_ticket": 0.1,
        "bug_ticket": 0.12,
        "feature_request_ticket": 0.08,
        "complaint_ticket": 0.02,
        "confused_note": 0.03,
        "negative_note": 0.03,
        "positive_note": 0.25,
        "not_priority_note": 0.0,
        "not_needed_note": 0.0,
        "stray_click": 0.0,
        "abandons": 0.0,
        "keeps_trickle": 0.0,
    },
    "training": {
        "error_events": 0.45,
        "how_to_ticket": 0.55,
        "bug_ticket": 0.15,
        "feature_request_ticket": 0.05,
        "complaint_ticket": 0.05,
        "confused_note": 0.35,
        "negative_note": 0.05,
        "positive_note": 0.02,
        "not_priority_note": 0.03,
        "not_needed_note": 0.0,
        "stray_click": 0.0,
        "abandons": 0.08,  # a training gap that gives up looks like a product-fit gap
        "keeps_trickle": 0.0,
    },
    "product_fit": {
        "error_events": 0.1,
        "how_to_ticket": 0.15,
        "bug_ticket": 0.12,
        "feature_request_ticket": 0.4,
        "complaint_ticket": 0.3,
        "confused_note": 0.08,
        "negative_note": 0.35,
        "positive_note": 0.0,
        "not_priority_note": 0.03,
        "not_needed_note": 0.05,
        "stray_click": 0.0,
        "abandons": 1.0,
        "keeps_trickle": 0.05,  # a product-fit gap that never quite stops looks like training
    },
    "urgency": {
        "error_events": 0.02,
        "how_to_ticket": 0.05,
        "bug_ticket": 0.02,
        "feature_request_ticket": 0.03,
        "complaint_ticket": 0.02,
        "confused_note": 0.03,
        "negative_note": 0.03,
        "positive_note": 0.05,
        "not_priority_note": 0.3,
        "not_needed_note": 0.05,
        "stray_click": 0.3,
        "abandons": 0.0,
        "keeps_trickle": 0.0,
    },
    "not_relevant": {
        "error_events": 0.0,
        "how_to_ticket": 0.03,
        "bug_ticket": 0.01,
        "feature_request_ticket": 0.05,
        "complaint_ticket": 0.02,
        "confused_note": 0.02,
        "negative_note": 0.03,
        "positive_note": 0.0,
        "not_priority_note": 0.08,
        "not_needed_note": 0.25,
        "stray_click": 0.2,
        "abandons": 0.0,
        "keeps_trickle": 0.0,
    },
}
_HARD_OVERRIDES = {
    "adopted": {"how_to_ticket": 0.18, "bug_ticket": 0.18, "confused_note": 0.08},
    "training": {
        "error_events": 0.3,
        "how_to_ticket": 0.35,
        "feature_request_ticket": 0.12,
        "complaint_ticket": 0.1,
        "confused_note": 0.2,
        "negative_note": 0.12,
        "not_priority_note": 0.08,
        "abandons": 0.25,
    },
    "product_fit": {
        "error_events": 0.2,
        "how_to_ticket": 0.3,
        "feature_request_ticket": 0.25,
        "complaint_ticket": 0.2,
        "confused_note": 0.15,
        "negative_note": 0.2,
        "not_priority_note": 0.08,
        "keeps_trickle": 0.25,
    },
    "urgency": {
        "how_to_ticket": 0.12,
        "feature_request_ticket": 0.06,
        "confused_note": 0.06,
        "not_priority_note": 0.15,
        "not_needed_note": 0.1,
        "stray_click": 0.5,
    },
    "not_relevant": {
        "how_to_ticket": 0.08,
        "feature_request_ticket": 0.1,
        "not_priority_note": 0.12,
        "not_needed_note": 0.15,
        "stray_click": 0.35,
    },
}
# plain: each cause leaves its own traces nearly always and no other cause's (no trickles, no
# give-ups, no stray clicks): the clean company a rule can read. Evidence can still be thin
# (a small account's short trial, a signal that did not show), but it never points elsewhere.
_NONE = {
    "error_events": 0.0,
    "how_to_ticket": 0.0,
    "bug_ticket": 0.0,
    "feature_request_ticket": 0.0,
    "complaint_ticket": 0.0,
    "confused_note": 0.0,
    "negative_note": 0.0,
    "not_priority_note": 0.0,
    "not_needed_note": 0.0,
    "stray_click": 0.0,
    "abandons": 0.0,
    "keeps_trickle": 0.0,
}
_PLAIN_OVERRIDES = {
    "training": {
        **_NONE,
        "error_events": 0.7,
        "how_to_ticket": 0.9,
        "bug_ticket": 0.1,
        "confused_note": 0.6,
    },
    "product_fit": {
        **_NONE,
        "bug_ticket": 0.1,
        "feature_request_ticket": 0.7,
        "complaint_ticket": 0.5,
        "negative_note": 0.6,
        "abandons": 1.0,
    },
    "urgency": {**_NONE, "not_priority_note": 0.8},
    "not_relevant": {**_NONE, "not_needed_note": 0.7},
}
SIGNAL_RATES: dict[str, dict[str, dict[str, float]]] = {
    "standard": _STANDARD,
    "hard": {
        cause: {**rates, **_HARD_OVERRIDES.get(cause, {})} for cause, rates in _STANDARD.items()
    },
    "plain": {
        cause: {**rates, **_PLAIN_OVERRIDES.get(cause, {})} for cause, rates in _STANDARD.items()
    },
}
# How strongly the use case predicts relevance: P(relevant) = clip(0.5 + s * (matrix - 0.5)).
# standard (a plain company): s = 2.5, so a use case needs a feature its matrix rates 0.7 or
# more and never one rated 0.3 or less, and only the middle of the matrix is left to chance.
# hard: s = 1.5, relevance varies by account inside every use case.
# plain: s = 10, the use case decides (only a matrix value of exactly 0.5 is left to chance).
RELEVANCE_SHARPNESS = {"standard": 2.5, "hard": 1.5, "plain": 10.0}
# Share of ticket and note texts that name the feature at all.
NAMES_FEATURE_IN_TEXT = {"standard": 0.85, "hard": 0.7, "plain": 0.95}
# Share of signal texts written in a vague, intent-free way ("Discussed X with the team").
VAGUE_TEXT_SHARE = {"standard": 0.1, "hard": 0.3, "plain": 0.0}

# --- landing-zone mess ------------------------------------------------------------------------
MESS_RATES = {
    "late_events": 0.03,  # timestamp 1-5 days before dt
    "duplicate_messages": 0.015,  # extra copies; half in the same file, half in another file
    "malformed_per_kind": 0.002,  # not_json, missing_message_id/timestamp/type, bad_timestamp
    "missing_group_context": 0.04,  # track events without context.groupId
    "plain_jsonl_files": 0.1,  # share of event files not gzipped
}
MALFORMED_KINDS = (
    "not_json",
    "missing_message_id",
    "missing_timestamp",
    "missing_type",
    "bad_timestamp",
)
BAD_TIMESTAMPS = ("not-a-timestamp", "2026-13-01T00:00:00Z", "2026-02-30T25:61:00Z", "yesterday")
BAD_ARR_VALUES = ("N/A", "#VALUE!", "twelve thousand")
CRM_DAILY_TAIL_DAYS = 14  # CRM exports are weekly, then daily for the last two weeks

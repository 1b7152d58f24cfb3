"""Every cut-off and weight of the scoring rules, in one place (docs/scoring.md explains them)."""

from __future__ import annotations

# --- account risk ---------------------------------------------------------------------------
RISK_TIERS: tuple[tuple[str, float], ...] = (("high", 0.50), ("medium", 0.25), ("low", 0.0))
TOP_DRIVERS = 3

# --- signals --------------------------------------------------------------------------------
INTERVENTION_OUTCOME_DAYS = 60  # an intervention's outcome is known 60 days after it started

# --- root cause ------------------------------------------------------------------------------
ROOT_CAUSES: tuple[str, ...] = ("training", "product_fit", "urgency", "not_relevant")
ACTIONABLE_CAUSES: tuple[str, ...] = ("training", "product_fit", "urgency")
CLEARLY_NEEDED = 0.8  # a "does not apply" note outweighs relevance below this
ROOT_CAUSE_PRIOR = 0.2  # every cause starts here, so the evidence share is defined with none
# The root cause is decided by the fitted model (cause_model.py, ml/root_cause.toml); the
# weights below are the hand-weighted rule kept as its baseline (root_cause.rule_root_causes).
SPORADIC_USE_DAYS = 90  # abandoned, last used at most this long ago: sporadic use (training)
# A tried feature's pace (events per user per 30 days over its active threshold, while used):
# light, fumbling use points to training, use near the threshold that still stopped short or
# was dropped points to product fit. Chosen on the development seeds (docs/scoring.md).
TRIAL_PACE_SPLIT = 0.35
TRIAL_PACE_WEIGHT = 1.5
# One or two events in all its history is a stray click, not an attempt: such a gap is read as
# never used (relevance cut-off and root cause). Chosen on the development seeds (docs/scoring.md).
STRAY_USE_MAX_EVENTS = 2
# Evidence weights that differ from 1 (docs/scoring.md has the whole table). A how-to ticket or a
# training note on a feature counts twice: on the development seeds a never-used feature with one
# was read as lack of urgency far more often than it was one.
NEVER_USED_WEIGHT = 1.0  # urgency evidence of a feature never (or only stray-) used
HOW_TO_TICKET_WEIGHT = 2.0
TRAINING_NOTE_WEIGHT = 2.0
TICKET_CAP = 3  # more tickets than this add no more evidence
LOW_USE_CASE_PEER_RATE = 0.35  # "peers of the same use case also low"
NO_RENEWAL_PRESSURE_DAYS = 180

# --- severity ---------------------------------------------------------------------------------
CRITICAL_DAYS_PAST_EXPECTED = 30
HIGH_VALUE_ARR_QUANTILE = 0.75  # "high-value account": ARR at or above this quantile
CRITICAL_RENEWAL_DAYS = 120
# A feature the account adopted before and lost while the whole account went quiet (at most this
# many users active in 30 days) is the account's problem, not the feature's: info, not pushed.
# Chosen on the development seeds (docs/scoring.md): flagged-gap F1 +0.02 to +0.03 at 2.
QUIET_ACCOUNT_MAX_ACTIVE_USERS = 2
# A feature adopted before and used for ESTABLISHED_USE_MIN_DAYS or more at, on average, at least
# ESTABLISHED_USE_MIN_PACE of its active threshold per user per 30 days, that fell below the
# threshold in the last 30 days, is a dip in established use, not an adoption gap: info, not pushed
# (usage-decline trend alerts carry it). Chosen on the development seeds (docs/scoring.md).
ESTABLISHED_USE_MIN_DAYS = 120
ESTABLISHED_USE_MIN_PACE = 0.8

# The root-cause model also gives the probability that a pair is no gap at all (the account uses
# it, or it is still early); above this the gap is info, kept but not pushed. On the development
# homes 0.5, 0.6 and 0.7 each raised flagged-gap F1 by 0.001 to 0.004 in every setting.
LIKELY_NO_GAP_PROBABILITY = 0.6

# --- impact and priority ----------------------------------------------------------------------
EXPANSION_RATE = {"core": 0.0, "advanced": 0.015, "premium": 0.03}  # share of ARR
RENEWAL_HORIZON_DAYS = 180  # priority rises linearly as renewal gets closer than this ...
RENEWAL_WEIGHT = 0.25  # ... to 1.25 times at the renewal date (1 doubled it: worse on dev seeds)
EXPANSION_PRIORITY_SHARE = 0.1  # expansion value counts a tenth as much as ARR at risk

# --- recommendations ------------------------------------------------------------------------
SHRINKAGE_PSEUDO_COUNT = 10.0  # pseudo-observations of the parent rate added to each cell
MIN_INTERVENTIONS_OF_TYPE = 10  # fewer known outcomes of a type: the playbook decides
PRIOR_ADOPTION_RATE = 0.25  # the overall rate when no intervention outcome is known at all
CANDIDATE_ACTIONS: dict[str, tuple[str, ...]] = {
    "training": ("training", "in_app_guide", "technical_onboarding"),
    "product_fit": ("technical_onboarding", "success_plan", "exec_alignment"),
    "urgency": ("exec_alignment", "success_plan", "in_app_guide"),
    "not_relevant": ("success_plan",),
}
# Where evidence is thin (no candidate type tried MIN_INTERVENTIONS_OF_TYPE times) the playbook
# decides: the cause's first candidate, except that a feature never used by an account still in
# onboarding (entitled fewer than ONBOARDING_WINDOW_DAYS ago, no technical onboarding recorded
# for the account) gets ONBOARDING_ACTION: its onboarding has not reached the feature yet. The
# domain's examples set the window: six months in is onboarding, twelve months in is not.
ONBOARDING_WINDOW_DAYS = 270
ONBOARDING_ACTION = "technical_onboarding"
ONBOARDING_CAUSES: tuple[str, ...] = ("training", "urgency")
ACTION_TEXT = {
    "training": "run a hands-on training session on {feature}",
    "in_app_guide": "switch on an in-app guide for {feature}",
    "technical_onboarding": "book a technical onboarding session for {feature}",
    "exec_alignment": "align with the executive sponsor on what {feature} is worth to them",
    "success_plan": "put {feature} in the success plan with a dated goal, or drop it if unneeded",
}

# --- change over time and trend alerts ---------------------------------------------------------
TREND_WINDOWS_DAYS = {"7d": 7, "30d": 30}  # week-over-week and month-over-month
DEFAULT_SCORE_DROP_POINTS = 10.0  # adoption score points lost over 30 days that raise an alert
USAGE_DECLINE_SHARE = 0.5  # an adopted feature whose 30-day events fell by half or more
USAGE_DECLINE_MIN_EVENTS = 10  # ... from at least this many events in the 30 days before
EXPANSION_COHORT_PERCENTILE = 75.0  # above the cohort's 75th percentile ...
EXPANSION_MIN_RISE = 0.0  # ... and rising over 30 days: ready for an expansion conversation

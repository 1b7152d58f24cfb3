"""The champion rule: promote only a model that beats the champion on the same holdout."""

from __future__ import annotations

from dataclasses import dataclass

from uptake.ml.evaluate import is_defined
from uptake.ml.model_specs import PromotionRule


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str


def decide_promotion(
    rule: PromotionRule,
    candidate: float,
    baseline: float | None,
    champion: float | None,
    champion_version: str | None,
    baseline_win_share: float | None = None,
    prior: float | None = None,
) -> Decision:
    """``candidate``, ``baseline`` and ``champion`` are the promotion metric (higher is better)
    of the new model, the rule baseline and the current champion, all on the new holdout.

    ``champion_version`` is None when no champion exists; ``champion`` is NaN/None when the
    champion could not be scored on this holdout (e.g. its features no longer exist).
    ``baseline_win_share`` is the share of bootstrap resamples of the holdout in which the new
    model beats the baseline (:func:`uptake.ml.evaluate.roc_auc_win_share`); a rule with a
    ``baseline_confidence`` needs it. ``prior`` is the churn prior's metric on the same holdout:
    under ``require_beat_prior`` the new model must beat it too, champion or not, since the
    prior is what scores without a champion (NaN/None: it could not be scored, no check).
    """
    name = rule.metric
    if not is_defined(candidate):
        return Decision(False, f"{name} is undefined on the holdout (one class or no rows)")
    if rule.min_value is not None and candidate <= rule.min_value:
        return Decision(False, f"{name} {candidate:.4f} is not above the floor {rule.min_value}")
    if rule.require_beat_baseline and is_defined(baseline) and candidate <= baseline:
        return Decision(
            False, f"{name} {candidate:.4f} does not beat the rule baseline {baseline:.4f}"
        )
    confidence = rule.baseline_confidence
    if rule.require_beat_baseline and is_defined(baseline) and confidence is not None:
        if baseline_win_share is None:
            raise ValueError(f"baseline_confidence {confidence} is set but no win share was given")
        if not is_defined(baseline_win_share) or baseline_win_share < confidence:
            return Decision(
                False,
                f"{name} {candidate:.4f} beats the rule baseline {baseline:.4f} in "
                f"{baseline_win_share:.0%} of {rule.bootstrap_resamples} bootstrap resamples "
                f"of the holdout, not the {confidence:.0%} required",
            )
    if rule.require_beat_prior and is_defined(prior) and candidate <= prior + rule.min_delta:
        return Decision(
            False,
            f"{name} {candidate:.4f} does not beat the cross-company churn prior ({prior:.4f}) "
            "on the same holdout; the prior scores while no champion exists",
        )
    if champion_version is None:
        return Decision(True, f"first model with a defined {name} ({candidate:.4f})")
    if not is_defined(champion):
        return Decision(
            True,
            f"champion v{champion_version} cannot be scored on this holdout; "
            f"{name} {candidate:.4f}",
        )
    if candidate > champion + rule.min_delta:
        return Decision(
            True,
            f"{name} {candidate:.4f} beats champion v{champion_version} ({champion:.4f}) "
            "on the same holdout",
        )
    return Decision(
        False,
        f"{name} {candidate:.4f} does not beat champion v{champion_version} ({champion:.4f}) "
        f"by more than {rule.min_delta} on the same holdout",
    )


def champion_retirement(
    rule: PromotionRule, champion: float | None, champion_version: str | None, prior: float | None
) -> str | None:
    """Why the current champion should stop scoring, or None: under ``require_beat_prior`` a
    champion that no longer beats the churn prior on the new holdout (the same rows) gives way
    to it, as a new model would not have gone live against it. Asked only when the new model
    was not promoted; a champion that cannot be scored there is left in place."""
    if not rule.require_beat_prior or champion_version is None:
        return None
    if not is_defined(champion) or not is_defined(prior) or champion > prior + rule.min_delta:
        return None
    return (
        f"champion v{champion_version} ({rule.metric} {champion:.4f}) no longer beats the "
        f"cross-company churn prior ({prior:.4f}) on the new holdout: retired, the prior scores"
    )

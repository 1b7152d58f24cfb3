"""Recommended action and adoption probability, measured from past interventions.

Rates are the share of interventions followed by adoption of their feature within 60 days
(fct_interventions.is_adopted_within_60d), shrunk toward their parent rate:

    overall  r0   = adopted / n over all interventions with a known outcome (PRIOR if none)
    type     r_t  = (a_t  + K * r0 ) / (n_t  + K)
    cell     r_ft = (a_ft + K * r_t) / (n_ft + K)       (feature x type)

With K pseudo-observations a thin cell stays near its type's rate and a thin type near the
overall rate. The action is the root cause's candidate type with the highest r_ft. Where no
candidate type of the cause has MIN_INTERVENTIONS_OF_TYPE known outcomes, the playbook decides
(playbook.py), with either path.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from uptake.scoring.rules import (
    CANDIDATE_ACTIONS,
    INTERVENTION_OUTCOME_DAYS,
    MIN_INTERVENTIONS_OF_TYPE,
    PRIOR_ADOPTION_RATE,
    SHRINKAGE_PSEUDO_COUNT,
)


def known_outcomes(interventions: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Interventions old enough for their 60-day outcome to be known on ``as_of``."""
    started = pd.to_datetime(interventions["started_at"])
    done = interventions[started <= as_of - pd.Timedelta(days=INTERVENTION_OUTCOME_DAYS)].copy()
    done = done[done["is_adopted_within_60d"].notna()]
    done["is_adopted_within_60d"] = done["is_adopted_within_60d"].astype(bool).astype(float)
    return done


@dataclass(frozen=True)
class Effectiveness:
    overall: float
    type_rate: dict[str, float]
    cells: pd.DataFrame  # feature_key, intervention_type, adopted, n, rate

    def rate_for(self, feature_key: str, action: str) -> tuple[float, int]:
        """(shrunk rate, observed n) for a feature x type; type rate when the cell is empty."""
        cells = self.cells
        match = cells[
            (cells["feature_key"] == feature_key) & (cells["intervention_type"] == action)
        ]
        if match.empty:
            return float(self.type_rate.get(action, self.overall)), 0
        return float(match["rate"].iloc[0]), int(match["n"].iloc[0])


def effectiveness(interventions: pd.DataFrame, as_of: pd.Timestamp) -> Effectiveness:
    done = known_outcomes(interventions, as_of)
    k = SHRINKAGE_PSEUDO_COUNT
    overall = float(done["is_adopted_within_60d"].mean()) if len(done) else PRIOR_ADOPTION_RATE
    by_type = done.groupby("intervention_type")["is_adopted_within_60d"].agg(["sum", "size"])
    type_rate = {
        str(name): float((row["sum"] + k * overall) / (row["size"] + k))
        for name, row in by_type.iterrows()
    }
    cells = (
        done.groupby(["feature_key", "intervention_type"])["is_adopted_within_60d"]
        .agg(adopted="sum", n="size")
        .reset_index()
    )
    cells["rate"] = [
        (row.adopted + k * type_rate.get(row.intervention_type, overall)) / (row.n + k)
        for row in cells.itertuples()
    ]
    return Effectiveness(overall, type_rate, cells)


def _well_tried(cause: str, counts: dict[str, int]) -> list[str]:
    """The cause's candidate types with enough known outcomes to be chosen on evidence."""
    return [a for a in CANDIDATE_ACTIONS[cause] if counts.get(a, 0) >= MIN_INTERVENTIONS_OF_TYPE]


def recommend(
    gaps: pd.DataFrame, measured: Effectiveness, counts: dict[str, int], playbook: pd.Series
) -> pd.DataFrame:
    """recommended_action, adoption_probability_if_engaged, intervention_sample_size and
    action_basis from the measured rates; ``playbook`` (aligned with ``gaps``) where no
    candidate type of the cause was tried often enough."""
    rows = []
    for feature_key, cause, fallback in zip(
        gaps["feature_key"], gaps["root_cause"], playbook, strict=True
    ):
        if _well_tried(cause, counts):
            options = [
                (action, *measured.rate_for(feature_key, action))
                for action in CANDIDATE_ACTIONS[cause]
            ]
            action, rate, n = max(options, key=lambda option: option[1])  # ties: listed order
            basis = "measured rates"
        else:
            action, basis = fallback, "playbook"
            rate, n = measured.rate_for(feature_key, action)
        rows.append((action, round(rate, 4), n, basis))
    return pd.DataFrame(
        rows,
        columns=[
            "recommended_action",
            "adoption_probability_if_engaged",
            "intervention_sample_size",
            "action_basis",
        ],
        index=gaps.index,
    )


def recommend_with_model(
    gaps: pd.DataFrame,
    engagement: pd.DataFrame,
    measured: Effectiveness,
    counts: dict[str, int],
    playbook: pd.Series,
) -> pd.DataFrame:
    """Action and adoption probability from the adoption model's what-if per intervention type.

    ``engagement``: per gap, P(adopt in 60 days) left alone (``none``) and with each type. Among
    the root cause's candidate types, those tried at least MIN_INTERVENTIONS_OF_TYPE times
    compete on the model's probability; when none has, ``playbook``'s action (aligned with
    ``gaps``) is recommended (action_basis "playbook"). Also returns the chance left alone, so
    the uplift of engaging is visible.
    """
    rows = []
    for index, feature_key, cause, fallback in zip(
        gaps.index, gaps["feature_key"], gaps["root_cause"], playbook, strict=True
    ):
        options = _well_tried(cause, counts)
        basis = "model" if options else "playbook"
        options = options or [fallback]
        action = max(options, key=lambda a: engagement.at[index, a])  # ties: listed order
        _, n = measured.rate_for(feature_key, action)
        rows.append(
            (
                action,
                round(float(engagement.at[index, action]), 4),
                round(float(engagement.at[index, "none"]), 4),
                n,
                basis,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "recommended_action",
            "adoption_probability_if_engaged",
            "adoption_probability_left_alone",
            "intervention_sample_size",
            "action_basis",
        ],
        index=gaps.index,
    )


def intervention_counts(interventions: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, int]:
    """Interventions with a known outcome per type: the evidence behind each action."""
    done = known_outcomes(interventions, as_of)
    return {str(k): int(v) for k, v in done["intervention_type"].value_counts().items()}

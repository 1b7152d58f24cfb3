"""``score_all``: score accounts and gaps from the marts and the champions, publish atomically."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from uptake.ml.adoption import engagement_table, load_adoption_spec
from uptake.ml.model_specs import load_churn_spec, load_intent_spec
from uptake.ml.predict import (
    AdoptionModel,
    ChurnScorer,
    IntentPredictor,
    load_adoption_model,
    load_churn_scorer,
    load_intent_predictor,
)
from uptake.ml.registry import (
    RULE_BASIS,
    client_for,
    latest_training_basis,
    why_no_champion,
)
from uptake.ml.threads import ml_threads
from uptake.scoring.account_scores import score_accounts
from uptake.scoring.alerts import current_alerts, merge_alerts
from uptake.scoring.atomic_publish import publish
from uptake.scoring.cause_model import CauseModel, load_cause_model
from uptake.scoring.contract import ADOPTION_GAPS
from uptake.scoring.gap_frame import build_gap_frame
from uptake.scoring.impact import add_impact, depth_share, entitled_summary
from uptake.scoring.inputs import ScoringInputs, load_scoring_inputs
from uptake.scoring.narrative import evidence, summary
from uptake.scoring.playbook import onboarded_accounts, playbook_actions
from uptake.scoring.recommend import (
    effectiveness,
    intervention_counts,
    recommend,
    recommend_with_model,
)
from uptake.scoring.root_cause import classify_root_causes
from uptake.scoring.score_history import is_latest_day
from uptake.scoring.severity import (
    apply_alert_cap,
    assign_severity,
    held_for_core_first,
    high_value_threshold,
)
from uptake.scoring.trends import score_changes, trend_alerts
from uptake.settings import Settings
from uptake.warehouse import open_warehouse, table_exists

GAP_EXTRA_COLUMNS = [
    "csm_owner", "category", "adoption_status", "overdue_days", "relevance",
    "churn_probability", "feature_churn_lift", "expansion_value", "intervention_sample_size",
    "is_pushed", "intent_model",
    # the signals behind the decision: evidence for the CSM, inputs of the rule baseline
    "use_case_peer_rate", "peer_adoption_rate", "how_to_tickets", "bug_tickets",
    "feature_request_tickets", "complaint_tickets", "training_notes", "product_fit_notes",
    "urgency_notes", "not_relevant_notes", "negative_feature_notes", "arr", "value_weight",
    "renewal_in_days", "relevance_basis", "entitled_date",
    "adoption_probability_left_alone", "action_basis", "adoption_model", "unused_for_days",
    "gap_probability",
]  # fmt: skip


class MissingChampionError(RuntimeError):
    """A model scoring needs has no champion, and its rule may not stand in (UPTAKE_CHAMPIONS)."""


def check_champions(settings: Settings) -> None:
    """Raise MissingChampionError naming every model without a champion that may not fall back
    to its rule: under ``decided``, those whose latest training run did not record that the
    rule stays (never trained, the run failed, or the champion alias was removed since);
    under ``required``, all of them. ``optional`` checks nothing."""
    if settings.champions == "optional":
        return
    client = client_for(settings)
    specs = (load_churn_spec(settings), load_intent_spec(settings), load_adoption_spec(settings))
    missing = []
    for spec in specs:
        reason = why_no_champion(client, spec.name)
        if reason is None:
            continue
        basis = latest_training_basis(client, spec.experiment)
        if settings.champions == "decided" and basis == RULE_BASIS:
            continue  # training decided the fallback stays: the output names it
        if settings.champions == "decided" and basis == "":
            reason += (
                "; its latest training run recorded no decision to use the rule (it failed, or "
                "ran before training recorded one: train again)"
            )
        elif settings.champions == "decided" and basis is not None:
            reason += f"; its latest training run left {basis} in charge, which is gone"
        missing.append(reason)
    if missing:
        raise MissingChampionError(
            f"scoring needs a champion (UPTAKE_CHAMPIONS={settings.champions}): "
            + "; ".join(missing)
        )


@dataclass
class ScoringSummary:
    as_of_date: date
    scored_at: str
    model_name: str
    model_version: str
    intent_model: str
    rows: dict[str, int] = field(default_factory=dict)
    gaps_by_severity: dict[str, int] = field(default_factory=dict)
    gaps_by_root_cause: dict[str, int] = field(default_factory=dict)
    alerts_by_status: dict[str, int] = field(default_factory=dict)
    alerts_by_type: dict[str, int] = field(default_factory=dict)  # open alerts per kind
    alerts_pushed: int = 0
    published_latest: bool = True  # False: an older day (backfill), history rows only
    history_rows: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_gaps(
    inputs: ScoringInputs,
    account_scores: pd.DataFrame,
    churn: ChurnScorer,
    intents: IntentPredictor,
    alert_cap: int,
    cause_model: CauseModel,
    adoption_model: AdoptionModel | None = None,
) -> pd.DataFrame:
    """Every entitled, not-adopted (account, feature), scored: the adoption_gaps rows."""
    gaps = build_gap_frame(inputs, account_scores, intents)
    if gaps.empty:
        return pd.DataFrame(columns=[*ADOPTION_GAPS, *GAP_EXTRA_COLUMNS])
    gaps = gaps.join(classify_root_causes(gaps, cause_model))
    lift = depth_share(gaps, entitled_summary(inputs.adoption, inputs.catalog))
    gaps = add_impact(gaps, lift)
    gaps["severity"] = assign_severity(gaps, high_value_threshold(inputs.accounts))
    gaps["is_held_for_core"] = held_for_core_first(gaps)
    gaps["is_pushed"] = apply_alert_cap(gaps, alert_cap)
    measured = effectiveness(inputs.interventions, inputs.scored_at)
    counts = intervention_counts(inputs.interventions, inputs.scored_at)
    playbook = playbook_actions(gaps, onboarded_accounts(inputs.interventions, inputs.scored_at))
    if adoption_model is None:
        gaps = gaps.join(recommend(gaps, measured, counts, playbook))
        gaps["adoption_probability_left_alone"] = np.nan
        gaps["adoption_model"] = "none"
    else:
        engagement = engagement_table(adoption_model.model, gaps, adoption_model.spec)
        gaps = gaps.join(recommend_with_model(gaps, engagement, measured, counts, playbook))
        gaps["adoption_model"] = f"{adoption_model.model_name}@{adoption_model.model_version}"
    gaps["gap_type"] = gaps["adoption_status"]
    gaps["evidence"] = [evidence(row) for _, row in gaps.iterrows()]
    gaps["summary"] = [summary(row) for _, row in gaps.iterrows()]
    gaps["model_version"] = churn.model_version
    gaps["scored_at"] = inputs.scored_at
    ordered = gaps[[*ADOPTION_GAPS, *GAP_EXTRA_COLUMNS]]
    return ordered.sort_values(
        ["priority_score", "account_id", "feature_key"], ascending=[False, True, True]
    ).reset_index(drop=True)


def add_trends(
    inputs: ScoringInputs, accounts: pd.DataFrame, score_drop_points: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """account_scores with the adoption score and its week/month changes; the trend alerts."""
    current = accounts[["account_id", "churn_probability"]].merge(
        inputs.account_adoption[["account_id", "adoption_score", "cohort_percentile"]],
        on="account_id",
        how="left",
    )
    changes = score_changes(current, inputs.history, inputs.scored_at)
    scored = accounts.merge(
        current[["account_id", "adoption_score"]].merge(changes, on="account_id"),
        on="account_id",
        how="left",
    )
    profile = current.merge(
        inputs.accounts[["account_id", "account_name", "csm_owner", "arr"]], on="account_id"
    )
    return scored, trend_alerts(profile, inputs.adoption, changes, score_drop_points)


def cause_model_path(settings: Settings) -> Path:
    return settings.ml_config_dir / "root_cause.toml"


@dataclass(frozen=True)
class AccountStage:
    """What gap scoring starts from: the inputs, the models it reads and the scored accounts."""

    inputs: ScoringInputs
    churn: ChurnScorer
    intents: IntentPredictor
    accounts: pd.DataFrame
    trends: pd.DataFrame


def score_account_stage(settings: Settings, as_of_date: date | None = None) -> AccountStage:
    inputs = load_scoring_inputs(settings, as_of_date)
    churn = load_churn_scorer(settings, inputs.as_of)
    intents = load_intent_predictor(settings)
    accounts = score_accounts(churn, inputs.accounts, inputs.snapshots, inputs.scored_at)
    accounts, trends = add_trends(inputs, accounts, settings.score_drop_points)
    return AccountStage(inputs, churn, intents, accounts, trends)


def undecided_gaps(settings: Settings, as_of_date: date | None = None) -> pd.DataFrame:
    """The gap frame with every signal and no decision yet: what the root-cause model reads
    (uptake.simulation.cause_fit fits it on these)."""
    with ml_threads(settings.ml_threads):
        stage = score_account_stage(settings, as_of_date)
        return build_gap_frame(stage.inputs, stage.accounts, stage.intents)


def score_all(settings: Settings, as_of_date: date | None = None) -> ScoringSummary:
    """Score the marts as of ``as_of_date`` and replace account_scores, adoption_gaps and
    adoption_alerts (alerts merged with the previous run's) in one transaction."""
    check_champions(settings)  # before anything is read or written
    cause_model = load_cause_model(cause_model_path(settings))
    with ml_threads(settings.ml_threads):  # the models' predictions (uptake.ml.threads)
        stage = score_account_stage(settings, as_of_date)
        inputs, churn, accounts, trends = stage.inputs, stage.churn, stage.accounts, stage.trends
        adoption_model = load_adoption_model(settings)
        gaps = score_gaps(
            inputs,
            accounts,
            churn,
            stage.intents,
            settings.alert_cap_per_csm,
            cause_model,
            adoption_model,
        )
    scored_at = inputs.scored_at
    with open_warehouse(settings) as con:
        latest = is_latest_day(con, scored_at)
        previous = (
            con.execute("select * from marts.adoption_alerts").fetchdf()
            if table_exists(con, "adoption_alerts")
            else None
        )
        # A backfilled day keeps its history; only the latest day moves the alerts.
        raised = pd.concat([current_alerts(gaps), trends], ignore_index=True)
        alerts = merge_alerts(previous, raised, scored_at) if latest else None
        frames = {"account_scores": accounts, "adoption_gaps": gaps}
        if alerts is not None:
            frames["adoption_alerts"] = alerts
        history = publish(con, frames, scored_at, replace_latest=latest)
    alerts = alerts if alerts is not None else raised.assign(status="open")
    return ScoringSummary(
        as_of_date=inputs.as_of,
        scored_at=scored_at.isoformat(),
        model_name=churn.model_name,
        model_version=churn.model_version,
        intent_model=f"{stage.intents.model_name}@{stage.intents.model_version}",
        rows={
            "account_scores": len(accounts),
            "adoption_gaps": len(gaps),
            "adoption_alerts": len(alerts),
        },
        gaps_by_severity=dict(Counter(gaps["severity"])),
        gaps_by_root_cause=dict(Counter(gaps["root_cause"])),
        alerts_by_status=dict(Counter(alerts["status"])),
        alerts_by_type=dict(Counter(alerts.loc[alerts["status"] == "open", "alert_type"])),
        alerts_pushed=int((alerts["is_pushed"] & (alerts["status"] == "open")).sum()),
        published_latest=latest,
        history_rows=history,
    )

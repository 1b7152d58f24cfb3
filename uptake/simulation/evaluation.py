"""Decision quality against a simulator's planted truth (``<landing>/_truth``).

The pipeline never reads ``_truth``; this module does, after a run, to say how well the scored
gaps and churn risks match what was planted, always beside a strong rule baseline computed in
the same run from the same observable signals (a figure means nothing without one). Churned
accounts are left out (their truth is frozen at the churn date, they are entitled to nothing).

Measures (docs/evaluation.md):
- flagged gaps (severity critical or warning) against the real gaps (planted training,
  product_fit or urgency, past their expected adoption time): precision, recall, F1;
- precision at 50: real gaps among the 50 scored gaps ranked first (flagged first, then
  priority);
- root-cause macro-F1 over training / product_fit / urgency, on the real gaps;
- Spearman of priority against the true impact of closing the gap, over the real gaps scored:
  ARR x the drop of the planted churn probability of the account's next renewal if the feature
  were adopted;
- churn ROC AUC on renewals closing within 365 days after the as-of date, as a share of the
  AUC of the planted probabilities (the best any model can do);
- the calibration error of ``root_cause_confidence`` (the stated chance the cause is right)
  over every scored pair with planted truth;
- the root-cause macro-F1 of the hand-weighted rule the fitted root-cause model replaced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from uptake.ml.features import health_risk
from uptake.scored_tables import require_tables
from uptake.scoring.account_scores import latest_snapshots
from uptake.scoring.narrative import read_evidence
from uptake.settings import Settings
from uptake.simulation.rule_baseline import rule_baseline
from uptake.warehouse import open_warehouse

ACTIONABLE = ("training", "product_fit", "urgency")
FLAGGED = ("critical", "warning")
TOP_K = 50
CHURN_HORIZON_DAYS = 365
CALIBRATION_BINS = 10  # equal-width confidence bins of the expected calibration error
# The simulator's churn logit moves this much per unit of weighted depth (0..1).
TRUE_DEPTH_COEFFICIENT = 3.5

# Development seeds: scoring rules and models may be tuned on these. Evaluation seeds: reported
# only, never looked at while tuning.
DEV_SEEDS = (11, 12, 13)
EVAL_SEEDS = (101, 102, 103)

METRICS = {
    "flagged_precision": "flagged-gap precision",
    "flagged_recall": "flagged-gap recall",
    "flagged_f1": "flagged-gap F1",
    "precision_at_50": "precision at 50",
    "root_cause_macro_f1": "root-cause macro-F1",
    "priority_spearman": "priority Spearman vs true impact",
    "churn_auc_share": "churn AUC (365 d) / oracle AUC",
}


@dataclass(frozen=True)
class Scores:
    flagged_precision: float
    flagged_recall: float
    flagged_f1: float
    precision_at_50: float
    root_cause_macro_f1: float
    priority_spearman: float
    churn_auc: float
    churn_auc_share: float


@dataclass(frozen=True)
class Evaluation:
    as_of_date: str
    pairs: int
    real_gaps: int
    flagged: int
    renewals_365d: int
    oracle_churn_auc: float
    model: Scores
    baseline: Scores
    # expected calibration error of the stated root-cause confidence
    cause_confidence_ece: float
    # root-cause macro-F1 of the hand-weighted rule the fitted model replaced (its baseline,
    # read from the evidence JSON's rule_cause; NaN when the gaps' evidence does not carry it)
    hand_rule_cause_macro_f1: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def one_line(self) -> str:
        parts = []
        for key, label in (
            ("flagged_f1", "F1"),
            ("precision_at_50", "P@50"),
            ("root_cause_macro_f1", "cause"),
            ("priority_spearman", "rho"),
            ("churn_auc_share", "churn"),
        ):
            parts.append(
                f"{label} {getattr(self.model, key):.3f}/{getattr(self.baseline, key):.3f}"
            )
        return "  ".join(parts) + "  (model/baseline)"


def load_feature_truth(truth_dir: Path) -> pd.DataFrame:
    path = truth_dir / "feature_truth.csv"
    if not path.exists():
        raise FileNotFoundError(f"no planted truth at {path}")
    truth = pd.read_csv(path, dtype=str).fillna("")
    if "account_status" in truth.columns:
        truth = truth[truth["account_status"] == "active"]
    return truth[["account_id", "feature_key", "truth_status", "root_cause"]]


def load_renewal_truth(truth_dir: Path) -> pd.DataFrame:
    path = truth_dir / "renewal_truth.csv"
    if not path.exists():
        raise FileNotFoundError(f"no planted renewal truth at {path}")
    frame = pd.read_csv(path, dtype={"account_id": str, "renewal_id": str})
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    return frame


def true_impact(
    truth: pd.DataFrame,
    renewals: pd.DataFrame,
    accounts: pd.DataFrame,
    catalog: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.Series:
    """ARR x (planted churn probability of the next renewal - the same with the feature adopted).

    Adopting the feature raises the account's weighted depth by its value weight over the weight
    of everything the account is entitled to; the planted churn logit falls by
    TRUE_DEPTH_COEFFICIENT times that rise. Aligned with ``truth``; NaN without a next renewal.
    """
    upcoming = renewals[renewals["close_date"] > as_of].sort_values("close_date")
    next_p = upcoming.groupby("account_id")["churn_probability"].first()
    weights = truth.merge(catalog[["feature_key", "value_weight"]], on="feature_key", how="left")
    weight = pd.to_numeric(weights["value_weight"], errors="coerce").fillna(1.0).to_numpy()
    total = weights.assign(w=weight).groupby("account_id")["w"].transform("sum").to_numpy()
    p = truth["account_id"].map(next_p).to_numpy(dtype=float)
    logit = np.log(p / (1 - p))
    p_adopted = 1.0 / (1.0 + np.exp(-(logit - TRUE_DEPTH_COEFFICIENT * weight / total)))
    arr = truth["account_id"].map(accounts.set_index("account_id")["arr"]).astype(float)
    return pd.Series(arr.to_numpy() * (p - p_adopted), index=truth.index)


def _f1(truth: pd.Series, predicted: pd.Series) -> float:
    return float(f1_score(truth, predicted, zero_division=0))


def calibration_error(confidence: pd.Series, correct: pd.Series) -> float:
    """Expected calibration error: the row-weighted mean, over CALIBRATION_BINS equal-width
    bins, of |mean stated confidence - share right|. NaN without rows."""
    stated = pd.to_numeric(confidence, errors="coerce")
    known = stated.notna()
    if not known.any():
        return float("nan")
    stated, right = stated[known].to_numpy(float), correct[known].to_numpy(float)
    bins = np.minimum((stated * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    gap = sum(
        abs(stated[bins == b].mean() - right[bins == b].mean()) * (bins == b).sum()
        for b in np.unique(bins)
    )
    return float(gap / len(stated))


def _rule_cause(evidence: pd.Series) -> pd.Series:
    return evidence.map(lambda text: read_evidence(text).get("rule_cause"))


def cause_macro_f1(truth: pd.Series, stated: pd.Series) -> float:
    return f1_score(truth, stated, labels=list(ACTIONABLE), average="macro", zero_division=0)


def decision_scores(
    frame: pd.DataFrame, churn: pd.DataFrame, oracle_auc: float, prefix: str
) -> Scores:
    """``frame``: truth pairs with is_real, true_cause, impact and <prefix>_flagged/_cause/
    _priority; ``churn``: renewals with churned and <prefix>_churn."""
    real = frame["is_real"]
    flagged = frame[f"{prefix}_flagged"]
    ranked = frame[frame["is_scored"]].sort_values(
        [f"{prefix}_flagged", f"{prefix}_priority"], ascending=[False, False], kind="stable"
    )
    top = ranked.head(TOP_K)
    caused = frame[real]
    impact = frame[real & frame["is_scored"] & frame["impact"].notna()]
    varied = impact[f"{prefix}_priority"].nunique() > 1 and impact["impact"].nunique() > 1
    rho = (
        spearmanr(impact[f"{prefix}_priority"], impact["impact"]).statistic
        if len(impact) > 2 and varied
        else np.nan
    )
    auc = (
        roc_auc_score(churn["churned"], churn[f"{prefix}_churn"])
        if churn["churned"].nunique() == 2
        else np.nan
    )
    return Scores(
        flagged_precision=_round(precision_score(real, flagged, zero_division=0)),
        flagged_recall=_round(recall_score(real, flagged, zero_division=0)),
        flagged_f1=_round(_f1(real, flagged)),
        precision_at_50=_round(top["is_real"].mean() if len(top) else 0.0),
        root_cause_macro_f1=_round(cause_macro_f1(caused["true_cause"], caused[f"{prefix}_cause"])),
        priority_spearman=_round(rho),
        churn_auc=_round(auc),
        churn_auc_share=_round(auc / oracle_auc if oracle_auc else np.nan),
    )


def _hand_rule_f1(frame: pd.DataFrame) -> float:
    """The hand-weighted rule's root-cause macro-F1 on the real gaps (NaN without its answers)."""
    if frame["hand_rule_cause"].isna().all():
        return float("nan")
    real = frame[frame["is_real"]]
    return _round(cause_macro_f1(real["true_cause"], real["hand_rule_cause"].fillna("adopted")))


def _round(value: float) -> float:
    value = float(value)
    return round(value, 3) if np.isfinite(value) else float("nan")


@dataclass(frozen=True)
class RunOutputs:
    """What a run wrote, read back for evaluation."""

    as_of: pd.Timestamp
    gaps: pd.DataFrame  # marts.adoption_gaps
    accounts: pd.DataFrame  # marts.dim_accounts: account_id, arr
    catalog: pd.DataFrame  # feature_key, value_weight
    churn: pd.DataFrame  # account_id, model_churn, baseline_churn


def renewals_ahead(
    renewals: pd.DataFrame, as_of: pd.Timestamp, scores: pd.DataFrame
) -> pd.DataFrame:
    """The planted renewals closing in the CHURN_HORIZON_DAYS after ``as_of`` of the accounts
    in ``scores`` (joined on account_id), ``churned`` as a boolean: the rows every churn AUC
    and the oracle's are computed on."""
    horizon = as_of + pd.Timedelta(days=CHURN_HORIZON_DAYS)
    upcoming = renewals[(renewals["close_date"] > as_of) & (renewals["close_date"] <= horizon)]
    ahead = upcoming.merge(scores, on="account_id", how="inner")
    ahead["churned"] = ahead["churned"].astype(str).str.lower() == "true"
    return ahead


def evaluate_outputs(outputs: RunOutputs, truth_dir: Path) -> Evaluation:
    truth = load_feature_truth(truth_dir)
    renewals = load_renewal_truth(truth_dir)
    gaps = outputs.gaps
    baseline = rule_baseline(gaps)
    model = pd.DataFrame(
        {
            "account_id": gaps["account_id"],
            "feature_key": gaps["feature_key"],
            "model_flagged": gaps["severity"].isin(FLAGGED),
            "model_cause": gaps["root_cause"],
            "model_priority": pd.to_numeric(gaps["priority_score"], errors="coerce"),
            "model_confidence": pd.to_numeric(gaps["root_cause_confidence"], errors="coerce"),
            "hand_rule_cause": _rule_cause(gaps["evidence"]),
        }
    ).merge(baseline, on=["account_id", "feature_key"])
    frame = truth.merge(model, on=["account_id", "feature_key"], how="left")
    frame["is_scored"] = frame["model_cause"].notna()
    for prefix in ("model", "baseline"):
        frame[f"{prefix}_flagged"] = frame[f"{prefix}_flagged"].fillna(False).astype(bool)
        frame[f"{prefix}_cause"] = frame[f"{prefix}_cause"].fillna("adopted")
        frame[f"{prefix}_priority"] = frame[f"{prefix}_priority"].fillna(-1.0)
    frame["is_real"] = (frame["truth_status"] == "gap") & frame["root_cause"].isin(ACTIONABLE)
    frame["true_cause"] = frame["root_cause"]
    frame["impact"] = true_impact(frame, renewals, outputs.accounts, outputs.catalog, outputs.as_of)

    scored = frame[frame["is_scored"]]
    right = scored["model_cause"] == scored["true_cause"]  # a pair the truth calls adopted: wrong
    churn = renewals_ahead(renewals, outputs.as_of, outputs.churn)
    oracle = (
        roc_auc_score(churn["churned"], churn["churn_probability"])
        if churn["churned"].nunique() == 2
        else np.nan
    )
    return Evaluation(
        as_of_date=outputs.as_of.date().isoformat(),
        pairs=len(frame),
        real_gaps=int(frame["is_real"].sum()),
        flagged=int(frame["model_flagged"].sum()),
        renewals_365d=len(churn),
        oracle_churn_auc=_round(oracle),
        model=decision_scores(frame, churn, oracle, "model"),
        baseline=decision_scores(frame, churn, oracle, "baseline"),
        cause_confidence_ece=_round(calibration_error(scored["model_confidence"], right)),
        hand_rule_cause_macro_f1=_hand_rule_f1(frame),
    )


# What the evaluation reads: a run that stopped before scoring leaves some of them absent.
EVALUATED_TABLES = (
    ("marts", "adoption_gaps"),
    ("marts", "dim_accounts"),
    ("marts", "account_feature_adoption"),
    ("marts", "account_scores"),
    ("ml_inputs", "fct_account_snapshots_every_30_days"),
)


def read_outputs(settings: Settings) -> RunOutputs:
    with open_warehouse(settings, read_only=True) as con:
        require_tables(con, EVALUATED_TABLES)
        gaps = con.execute("select * from marts.adoption_gaps").df()
        accounts = con.execute("select account_id, arr from marts.dim_accounts").df()
        catalog = con.execute(
            "select distinct feature_key, value_weight from marts.account_feature_adoption"
        ).df()
        scores = con.execute(
            "select account_id, churn_probability, scored_at from marts.account_scores"
        ).df()
        snapshots = con.execute("select * from ml_inputs.fct_account_snapshots_every_30_days").df()
    if scores.empty:
        raise ValueError("marts.account_scores is empty: nothing was scored")
    as_of = pd.Timestamp(scores["scored_at"].max()).normalize()
    latest = latest_snapshots(snapshots, accounts, as_of)
    churn = scores[["account_id"]].assign(model_churn=scores["churn_probability"].astype(float))
    churn = churn.merge(
        latest[["account_id"]].assign(baseline_churn=health_risk(latest).to_numpy()),
        on="account_id",
        how="left",
    )
    churn["baseline_churn"] = churn["baseline_churn"].fillna(0.5)
    return RunOutputs(as_of, gaps, accounts, catalog, churn)


def evaluate_run(settings: Settings, truth_dir: Path | None = None) -> Evaluation:
    truth_dir = truth_dir or settings.landing_dir / "_truth"
    load_feature_truth(truth_dir)  # no truth: say so before opening the warehouse
    return evaluate_outputs(read_outputs(settings), truth_dir)


def format_evaluation(result: Evaluation) -> str:
    lines = [
        f"as of {result.as_of_date}: {result.pairs} entitled pairs of active accounts, "
        f"{result.real_gaps} real gaps, {result.flagged} flagged; "
        f"{result.renewals_365d} renewals in the next 365 days "
        f"(oracle churn AUC {result.oracle_churn_auc:.3f})",
        f"{'':36}{'model':>8}{'rule baseline':>15}",
    ]
    for key, label in METRICS.items():
        model, base = getattr(result.model, key), getattr(result.baseline, key)
        lines.append(f"{label:36}{model:8.3f}{base:15.3f}")
    lines.append(
        f"root-cause macro-F1 of the hand-weighted rule (the root-cause model's baseline) "
        f"{result.hand_rule_cause_macro_f1:.3f}"
    )
    lines.append(
        f"root-cause confidence calibration error {result.cause_confidence_ece:.3f} "
        "(lower is better)"
    )
    return "\n".join(lines)


EXPERIMENT = "uptake-evaluation"


def log_evaluation(settings: Settings, result: Evaluation) -> str:
    """One MLflow run per evaluation: model_* and baseline_* metrics side by side."""
    import mlflow

    from uptake.ml.registry import client_for, ensure_experiment

    client = client_for(settings)
    experiment_id = ensure_experiment(client, EXPERIMENT, settings)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"evaluate {result.as_of_date}"):
        mlflow.log_params(
            {
                "as_of_date": result.as_of_date,
                "pairs": result.pairs,
                "real_gaps": result.real_gaps,
                "renewals_365d": result.renewals_365d,
            }
        )
        metrics = {
            "oracle_churn_auc": result.oracle_churn_auc,
            "model_cause_confidence_ece": result.cause_confidence_ece,
            "hand_rule_root_cause_macro_f1": result.hand_rule_cause_macro_f1,
        }
        for prefix, scores in (("model", result.model), ("baseline", result.baseline)):
            metrics |= {f"{prefix}_{key}": value for key, value in asdict(scores).items()}
        mlflow.log_metrics({k: v for k, v in metrics.items() if np.isfinite(v)})
        return mlflow.active_run().info.run_id

"""Per-account and per-CSM slices of :class:`DeskData`, shared by the report, the digest and
the CRM export. Selection and ordering only: every number is a mart value."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from uptake.delivery.marts import DeskData

ALERTING = ("critical", "warning")
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _by_account(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty or "account_id" not in frame.columns:
        return {}
    return {str(key): rows for key, rows in frame.groupby("account_id", sort=False)}


def _first_by_account(frame: pd.DataFrame) -> dict[str, pd.Series]:
    if frame.empty or "account_id" not in frame.columns:
        return {}
    return {str(row["account_id"]): row for _, row in frame.iterrows()}


@dataclass
class Views:
    """Lookups built once: pages for 150 accounts must not rescan whole tables each."""

    data: DeskData
    portfolio: pd.DataFrame  # one row per account: dim + adoption + score columns
    gaps_by_account: dict[str, pd.DataFrame]
    features_by_account: dict[str, pd.DataFrame]
    usage_by_account: dict[str, pd.DataFrame]
    adoption_by_account: dict[str, pd.Series]
    score_by_account: dict[str, pd.Series]
    account_by_id: dict[str, pd.Series]
    names: dict[str, str]

    def top_gap(self, account_id: str) -> pd.Series | None:
        """The account's highest-priority gap that is worth raising: the first by
        priority_score whose root cause is not ``not_relevant`` (the marts order them)."""
        gaps = self.gaps_by_account.get(account_id)
        if gaps is None or gaps.empty:
            return None
        relevant = gaps[gaps["root_cause"] != "not_relevant"] if "root_cause" in gaps else gaps
        return relevant.iloc[0] if len(relevant) else None

    def cohort_rows(self, account_id: str) -> pd.DataFrame:
        """The account's entitled features with its cohort's spread of 30-day events."""
        features = self.features_by_account.get(account_id)
        bench = self.data.benchmarks
        if features is None or features.empty or bench.empty:
            return pd.DataFrame(columns=["feature_key", "events_30d", "p25_events_30d"])
        entitled = features[features["is_entitled"].fillna(False).astype(bool)]
        return entitled.merge(
            bench.drop(columns=["as_of_date", "peer_adoption_rate"], errors="ignore"),
            left_on=["benchmark_cohort_key", "feature_key"],
            right_on=["cohort_key", "feature_key"],
            how="left",
        )

    def open_alerts(self, csm: str | None = None, pushed_only: bool = True) -> pd.DataFrame:
        alerts = self.data.alerts
        if alerts.empty:
            return alerts
        chosen = alerts[alerts["status"] == "open"]
        if pushed_only and "is_pushed" in chosen.columns:
            chosen = chosen[chosen["is_pushed"].fillna(False).astype(bool)]
        if csm is not None:
            chosen = chosen[chosen["csm_owner"] == csm]
        order = chosen["severity"].map(SEVERITY_ORDER).fillna(3)
        return (
            chosen.assign(_order=order)
            .sort_values(["_order", "priority_score", "alert_id"], ascending=[True, False, True])
            .drop(columns="_order")
        )

    def csms(self) -> list[str]:
        owners = self.portfolio["csm_owner"].dropna().astype(str)
        return sorted(set(owners))


def _new_columns(frame: pd.DataFrame, into: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in into.columns or c == "account_id"]


def build_views(data: DeskData) -> Views:
    accounts = data.accounts
    portfolio = accounts.copy() if not accounts.empty else pd.DataFrame(columns=["account_id"])
    if not data.adoption.empty:
        portfolio = portfolio.merge(
            data.adoption[_new_columns(data.adoption, portfolio)], on="account_id", how="left"
        )
    if not data.scores.empty:
        portfolio = portfolio.merge(
            data.scores[_new_columns(data.scores, portfolio)], on="account_id", how="left"
        )
    if "csm_owner" not in portfolio.columns:
        portfolio["csm_owner"] = None
    if "churn_probability" in portfolio.columns:
        portfolio = portfolio.sort_values(
            ["churn_probability", "account_id"], ascending=[False, True], na_position="last"
        ).reset_index(drop=True)
    names = data.feature_names()
    return Views(
        data=data,
        portfolio=portfolio,
        gaps_by_account=_by_account(data.gaps),
        features_by_account=_by_account(data.features),
        usage_by_account=_by_account(data.usage_monthly),
        adoption_by_account=_first_by_account(data.adoption),
        score_by_account=_first_by_account(data.scores),
        account_by_id=_first_by_account(data.accounts),
        names=names,
    )

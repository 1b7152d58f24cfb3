"""The scored tables' contract columns (docs/contract.md section 2) and their SQL types.

Tables are created from these lists first, so an empty run still publishes every column with
the right type; extra columns follow the contract ones.
"""

from __future__ import annotations

ACCOUNT_SCORES: dict[str, str] = {
    "account_id": "varchar",
    "scored_at": "timestamp",
    "churn_probability": "double",
    "risk_tier": "varchar",
    "top_risk_drivers": "varchar",
    "model_name": "varchar",
    "model_version": "varchar",
}

ADOPTION_GAPS: dict[str, str] = {
    "account_id": "varchar",
    "feature_key": "varchar",
    "gap_type": "varchar",
    "root_cause": "varchar",
    "root_cause_confidence": "double",
    "evidence": "varchar",
    "priority_score": "double",
    "severity": "varchar",
    "arr_at_risk": "double",
    "adoption_probability_if_engaged": "double",
    "recommended_action": "varchar",
    "summary": "varchar",
    "model_version": "varchar",
    "scored_at": "timestamp",
}

ADOPTION_ALERTS: dict[str, str] = {
    "alert_id": "varchar",
    "account_id": "varchar",
    "feature_key": "varchar",
    "severity": "varchar",
    "csm_owner": "varchar",
    "first_seen_at": "timestamp",
    "last_seen_at": "timestamp",
    "status": "varchar",
    "summary": "varchar",
}

TABLES: dict[str, dict[str, str]] = {
    "account_scores": ACCOUNT_SCORES,
    "adoption_gaps": ADOPTION_GAPS,
    "adoption_alerts": ADOPTION_ALERTS,
}

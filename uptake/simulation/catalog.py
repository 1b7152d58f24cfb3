"""The simulated company's product: features, plans, use cases and what fits whom."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from uptake.simulation.writers import write_csv

USE_CASES = (
    "Sales Analytics",
    "Customer Onboarding",
    "Marketing Operations",
    "Finance Reporting",
    "Executive Reporting",
)
PLANS = ("starter", "growth", "enterprise")
CATEGORY_BY_PLAN = {
    "starter": ("core",),
    "growth": ("core", "advanced"),
    "enterprise": ("core", "advanced", "premium"),
}


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    category: str
    events: tuple[str, ...]
    active_min_events_30d: int
    expected_days_to_adopt: int
    value_weight: float
    # P(relevant) and product-fit risk per use case, in USE_CASES order. Relevance is drawn per
    # account from these, so the use case predicts it only partly.
    relevance: tuple[float, ...]
    fit_risk: tuple[float, ...]
    # What users of this feature do, for ticket and note texts.
    verb: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        "dashboards", "Dashboards", "core", ("Dashboard Viewed", "Dashboard Created"),
        4, 14, 3.0, (0.98, 0.97, 0.98, 0.97, 0.99), (0.05, 0.05, 0.05, 0.05, 0.05),
        "build a dashboard",
    ),
    Feature(
        "report_builder", "Report Builder", "core", ("Report Created", "Report Built"),
        3, 30, 3.0, (0.95, 0.8, 0.9, 0.98, 0.95), (0.05, 0.2, 0.1, 0.05, 0.05),
        "build a custom report",
    ),
    Feature(
        "data_import", "Data Import", "core", ("Data Imported", "CSV Uploaded"),
        2, 21, 2.0, (0.85, 0.9, 0.9, 0.8, 0.6), (0.1, 0.1, 0.1, 0.15, 0.2),
        "import our data",
    ),
    Feature(
        "team_collaboration", "Team Collaboration", "core", ("Comment Added", "Item Shared"),
        4, 30, 2.0, (0.9, 0.9, 0.8, 0.7, 0.6), (0.05, 0.05, 0.1, 0.2, 0.25),
        "share work with the team",
    ),
    Feature(
        "scheduled_exports", "Scheduled Exports", "core", ("Export Scheduled", "Report Exported"),
        2, 45, 1.5, (0.7, 0.5, 0.7, 0.95, 0.9), (0.15, 0.3, 0.15, 0.05, 0.1),
        "schedule an export",
    ),
    Feature(
        "salesforce_integration", "Salesforce Integration", "advanced",
        ("Salesforce Sync Completed", "Salesforce Field Mapped"),
        3, 45, 4.0, (0.95, 0.6, 0.7, 0.3, 0.4), (0.05, 0.3, 0.2, 0.6, 0.3),
        "sync records from Salesforce",
    ),
    Feature(
        "workflow_automation", "Workflow Automation", "advanced",
        ("Workflow Created", "Workflow Run"),
        3, 60, 4.0, (0.7, 0.9, 0.8, 0.5, 0.3), (0.2, 0.1, 0.15, 0.4, 0.6),
        "automate a workflow",
    ),
    Feature(
        "custom_fields", "Custom Fields", "advanced",
        ("Custom Field Created", "Custom Field Edited"),
        2, 45, 1.5, (0.7, 0.7, 0.6, 0.6, 0.4), (0.2, 0.2, 0.25, 0.25, 0.3),
        "add a custom field",
    ),
    Feature(
        "alerts", "Smart Alerts", "advanced", ("Alert Configured", "Alert Triggered"),
        2, 45, 2.0, (0.8, 0.8, 0.6, 0.5, 0.7), (0.1, 0.1, 0.3, 0.35, 0.2),
        "set up an alert",
    ),
    Feature(
        "forecasting", "Revenue Forecasting", "advanced",
        ("Forecast Generated", "Forecast Adjusted"),
        2, 60, 3.5, (0.95, 0.2, 0.4, 0.9, 0.8), (0.1, 0.8, 0.6, 0.1, 0.2),
        "build a forecast",
    ),
    Feature(
        "sso_saml", "SSO (SAML)", "premium", ("SSO Login",),
        4, 30, 1.5, (0.6, 0.6, 0.6, 0.7, 0.7), (0.1, 0.1, 0.1, 0.1, 0.1),
        "log in with single sign-on",
    ),
    Feature(
        "ai_insights", "AI Insights", "premium", ("AI Insight Viewed", "AI Summary Generated"),
        3, 60, 5.0, (0.8, 0.6, 0.7, 0.6, 0.9), (0.15, 0.3, 0.2, 0.5, 0.15),
        "get an AI summary",
    ),
    Feature(
        "audit_log", "Audit Log", "premium", ("Audit Log Viewed", "Audit Log Exported"),
        2, 90, 1.0, (0.3, 0.3, 0.3, 0.9, 0.5), (0.2, 0.2, 0.2, 0.05, 0.15),
        "review the audit log",
    ),
    Feature(
        "api_access", "API Access", "premium", ("API Request Made",),
        10, 60, 3.0, (0.5, 0.7, 0.5, 0.6, 0.2), (0.2, 0.15, 0.2, 0.2, 0.5),
        "call the API",
    ),
)  # fmt: skip

FEATURE_INDEX = {feature.key: index for index, feature in enumerate(FEATURES)}
# Events that belong to no feature: they make a user active without using anything in particular.
BASE_EVENTS = ("Signed In", "Page Viewed")
PRODUCT = {"product_name": "Pipewise", "complexity": "moderate"}


def plan_features(plan: str) -> list[int]:
    """Feature indexes a plan includes, in catalog order."""
    categories = CATEGORY_BY_PLAN[plan]
    return [index for index, feature in enumerate(FEATURES) if feature.category in categories]


def event_vocabulary() -> list[str]:
    """Every event name the simulator can send: base events, then each feature's events."""
    names = list(BASE_EVENTS)
    for feature in FEATURES:
        names.extend(name for name in feature.events if name not in names)
    return names


def write_catalog(root: Path) -> dict[str, int]:
    """catalog/features.csv, plan_features.csv and product.csv (docs/contract.md 1.1)."""
    folder = root / "catalog"
    features = write_csv(
        folder / "features.csv",
        (
            "feature_key",
            "feature_name",
            "category",
            "events",
            "active_min_events_30d",
            "expected_days_to_adopt",
            "value_weight",
        ),
        [
            (
                f.key,
                f.name,
                f.category,
                "|".join(f.events),
                f.active_min_events_30d,
                f.expected_days_to_adopt,
                f.value_weight,
            )
            for f in FEATURES
        ],
    )
    plans = write_csv(
        folder / "plan_features.csv",
        ("plan", "feature_key"),
        [(plan, FEATURES[index].key) for plan in PLANS for index in plan_features(plan)],
    )
    write_csv(folder / "product.csv", ("key", "value"), sorted(PRODUCT.items()))
    return {"catalog_features": features, "catalog_plan_features": plans}

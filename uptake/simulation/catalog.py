"""The simulated company's product: features, plans, use cases and what fits whom.

Two catalogs: ``analytics`` (the default, a BI product) and ``field_service`` (a scheduling
and dispatch product with other feature keys, event names, plan names and use cases), so the
pipeline is measured on a product it was not written around (docs/simulator.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from uptake.simulation.writers import write_csv

# Plan tiers the simulator's economics are keyed by (seat ranges, prices, upgrades); each
# catalog names them its own way.
TIERS = ("starter", "growth", "enterprise")
CATEGORY_BY_TIER = {
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


@dataclass(frozen=True)
class Catalog:
    """A product: its features, what its plans are called and who buys it for what."""

    name: str
    product: dict[str, str]
    use_cases: tuple[str, ...]
    use_case_weights: tuple[float, ...]  # share of accounts per use case
    plan_names: dict[str, str]  # tier -> the plan's name in this product's CRM
    features: tuple[Feature, ...]
    # One event renamed in a release halfway through: old clients keep the old name a while.
    rename: dict[str, str]
    # Events that belong to no feature: they make a user active without using anything.
    base_events: tuple[str, ...] = ("Signed In", "Page Viewed")
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {f.key: i for i, f in enumerate(self.features)})
        for feature in self.features:
            if len(feature.relevance) != len(self.use_cases):
                raise ValueError(f"{self.name}.{feature.key}: one relevance per use case")
        renamed = self.features[self.index[self.rename["feature_key"]]].events
        if renamed != (self.rename["old"], self.rename["new"]):
            raise ValueError(f"{self.name}: the renamed feature's events must be (old, new)")

    def plan_name(self, tier: str) -> str:
        return self.plan_names[tier]

    def plan_features(self, tier: str) -> list[int]:
        """Feature indexes a plan tier includes, in catalog order."""
        categories = CATEGORY_BY_TIER[tier]
        return [i for i, feature in enumerate(self.features) if feature.category in categories]

    def event_vocabulary(self) -> list[str]:
        """Every event name the simulator can send: base events, then each feature's."""
        names = list(self.base_events)
        for feature in self.features:
            names.extend(name for name in feature.events if name not in names)
        return names


ANALYTICS = Catalog(
    name="analytics",
    product={"product_name": "Pipewise", "complexity": "moderate"},
    use_cases=(
        "Sales Analytics",
        "Customer Onboarding",
        "Marketing Operations",
        "Finance Reporting",
        "Executive Reporting",
    ),
    use_case_weights=(0.3, 0.2, 0.2, 0.15, 0.15),
    plan_names={"starter": "starter", "growth": "growth", "enterprise": "enterprise"},
    rename={"feature_key": "report_builder", "old": "Report Created", "new": "Report Built"},
    features=(
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
    ),
)  # fmt: skip
FIELD_SERVICE = Catalog(
    name="field_service",
    product={"product_name": "Dispatchly", "complexity": "high"},
    use_cases=(
        "HVAC Maintenance",
        "Facility Management",
        "Home Services",
        "Equipment Rental",
    ),
    use_case_weights=(0.35, 0.25, 0.25, 0.15),
    plan_names={"starter": "essentials", "growth": "professional", "enterprise": "premier"},
    rename={"feature_key": "job_scheduling", "old": "Job Scheduled", "new": "Job Booked"},
    base_events=("App Opened", "Screen Viewed"),
    features=(
    Feature(
        "job_scheduling", "Job Scheduling", "core", ("Job Scheduled", "Job Booked"),
        5, 14, 3.0, (0.98, 0.97, 0.98, 0.95), (0.05, 0.05, 0.05, 0.1),
        "schedule a job",
    ),
    Feature(
        "work_orders", "Work Orders", "core", ("Work Order Created", "Work Order Closed"),
        4, 21, 3.0, (0.95, 0.95, 0.85, 0.7), (0.05, 0.05, 0.15, 0.3),
        "create a work order",
    ),
    Feature(
        "mobile_checkin", "Mobile Check-in", "core", ("Technician Checked In",),
        6, 30, 2.5, (0.95, 0.6, 0.95, 0.4), (0.05, 0.3, 0.05, 0.5),
        "check in from the field",
    ),
    Feature(
        "invoicing", "Invoicing", "core", ("Invoice Sent", "Invoice Paid"),
        2, 30, 2.0, (0.8, 0.5, 0.95, 0.9), (0.1, 0.4, 0.05, 0.1),
        "send an invoice",
    ),
    Feature(
        "route_optimization", "Route Optimization", "advanced",
        ("Route Optimized", "Route Shared"),
        3, 45, 4.0, (0.9, 0.3, 0.85, 0.5), (0.1, 0.7, 0.1, 0.4),
        "optimize a route",
    ),
    Feature(
        "inventory_tracking", "Inventory Tracking", "advanced",
        ("Part Reserved", "Stock Counted"),
        3, 60, 3.0, (0.85, 0.6, 0.4, 0.95), (0.15, 0.3, 0.5, 0.05),
        "track parts in stock",
    ),
    Feature(
        "customer_portal", "Customer Portal", "advanced",
        ("Portal Invite Sent", "Portal Request Received"),
        2, 60, 2.5, (0.6, 0.8, 0.9, 0.7), (0.3, 0.15, 0.1, 0.2),
        "invite customers to the portal",
    ),
    Feature(
        "maintenance_plans", "Maintenance Plans", "advanced",
        ("Maintenance Plan Created", "Maintenance Visit Generated"),
        2, 45, 3.5, (0.95, 0.9, 0.4, 0.8), (0.05, 0.1, 0.5, 0.2),
        "set up a maintenance plan",
    ),
    Feature(
        "iot_monitoring", "IoT Monitoring", "premium", ("Sensor Alert Received",),
        8, 60, 4.5, (0.8, 0.7, 0.2, 0.6), (0.2, 0.3, 0.7, 0.3),
        "monitor equipment sensors",
    ),
    Feature(
        "erp_sync", "ERP Sync", "premium", ("ERP Sync Completed", "ERP Mapping Edited"),
        3, 75, 3.0, (0.6, 0.85, 0.3, 0.7), (0.3, 0.15, 0.6, 0.25),
        "sync with our ERP",
    ),
    Feature(
        "sla_reporting", "SLA Reporting", "premium", ("SLA Report Viewed",),
        3, 45, 2.0, (0.5, 0.95, 0.2, 0.6), (0.3, 0.05, 0.6, 0.3),
        "report on SLAs",
    ),
    ),
)  # fmt: skip

CATALOGS = {catalog.name: catalog for catalog in (ANALYTICS, FIELD_SERVICE)}


def write_catalog(root: Path, catalog: Catalog) -> dict[str, int]:
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
            for f in catalog.features
        ],
    )
    plans = write_csv(
        folder / "plan_features.csv",
        ("plan", "feature_key"),
        [
            (catalog.plan_name(tier), catalog.features[index].key)
            for tier in TIERS
            for index in catalog.plan_features(tier)
        ],
    )
    write_csv(folder / "product.csv", ("key", "value"), sorted(catalog.product.items()))
    return {"catalog_features": features, "catalog_plan_features": plans}

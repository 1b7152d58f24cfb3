"""The landing zone matches docs/contract.md section 1 file by file, column by column."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

from tests.simulation.conftest import event_lines, jsonl, read_csv
from uptake.simulation import SimulationSummary

DT = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
OPEN_STAGES = {"Qualification", "Proposal/Price Quote", "Negotiation/Review"}


def _dt_folders(root: Path, source: str) -> list[Path]:
    return sorted(p for p in (root / source).iterdir() if p.is_dir())


def test_layout_has_the_contract_sources_and_dt_partitions(
    tiny: tuple[Path, SimulationSummary],
) -> None:
    root, summary = tiny
    assert sorted(p.name for p in root.iterdir()) == [
        "_truth",
        "catalog",
        "crm",
        "cs",
        "product_events",
        "support",
    ]
    start, end = date.fromisoformat(summary.start_date), date.fromisoformat(summary.end_date)
    for source in ("product_events", "crm", "support", "cs"):
        folders = _dt_folders(root, source)
        assert folders, source
        for folder in folders:
            match = DT.match(folder.name)
            assert match, folder
            assert start <= date.fromisoformat(match.group(1)) <= end
    names = {p.name for p in (root / "product_events").rglob("*") if p.is_file()}
    assert any(n.endswith(".jsonl.gz") for n in names)
    assert any(n.endswith(".jsonl") for n in names)


def test_catalog_columns_and_a_renamed_event(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    columns, features = read_csv(root / "catalog" / "features.csv")
    assert columns == [
        "feature_key",
        "feature_name",
        "category",
        "events",
        "active_min_events_30d",
        "expected_days_to_adopt",
        "value_weight",
    ]
    assert 12 <= len(features) <= 16
    assert {f["category"] for f in features} == {"core", "advanced", "premium"}
    for feature in features:
        assert int(feature["active_min_events_30d"]) >= 1
        assert int(feature["expected_days_to_adopt"]) > 0
        assert float(feature["value_weight"]) > 0
    events = {f["feature_key"]: f["events"].split("|") for f in features}
    assert events["report_builder"] == ["Report Created", "Report Built"]
    sent = {
        json.loads(line).get("event")
        for _, _, line in event_lines(root)
        if '"track"' in line and line.endswith("}") and '"event"' in line
    }
    assert {"Report Created", "Report Built"} <= sent

    columns, plan_rows = read_csv(root / "catalog" / "plan_features.csv")
    assert columns == ["plan", "feature_key"]
    assert {r["plan"] for r in plan_rows} == {"starter", "growth", "enterprise"}
    assert {r["feature_key"] for r in plan_rows} <= set(events)
    columns, product = read_csv(root / "catalog" / "product.csv")
    assert columns == ["key", "value"]
    assert {"key": "complexity", "value": "moderate"} in product


def test_crm_snapshots_have_salesforce_columns_and_values(
    tiny: tuple[Path, SimulationSummary],
) -> None:
    root, _ = tiny
    for folder in _dt_folders(root, "crm"):
        columns, accounts = read_csv(folder / "accounts.csv")
        assert columns == [
            "Id",
            "Name",
            "Industry",
            "NumberOfEmployees",
            "BillingCountry",
            "OwnerId",
            "Primary_Use_Case__c",
            "CreatedDate",
        ]
        for row in accounts:
            assert re.fullmatch(r"csm-\d+", row["OwnerId"])
            int(row["NumberOfEmployees"])
            date.fromisoformat(row["CreatedDate"])
        columns, subs = read_csv(folder / "subscriptions.csv")
        assert columns == [
            "Id",
            "AccountId",
            "Plan__c",
            "Seats__c",
            "ARR__c",
            "StartDate",
            "EndDate",
            "Status",
        ]
        active: dict[str, int] = {}
        for row in subs:
            assert row["Status"] in {"Active", "Cancelled", "Expired"}
            assert row["Plan__c"] in {"starter", "growth", "enterprise"}
            assert date.fromisoformat(row["StartDate"]) < date.fromisoformat(row["EndDate"])
            active[row["AccountId"]] = active.get(row["AccountId"], 0) + (row["Status"] == "Active")
        assert max(active.values()) == 1, "one active subscription at a time"
        columns, opps = read_csv(folder / "renewals.csv")
        assert columns == ["Id", "AccountId", "CloseDate", "Type", "StageName", "Amount"]
        for row in opps:
            assert row["Type"] in {"Renewal", "Expansion", "Downgrade"}
            assert row["StageName"] in {"Closed Won", "Closed Lost"} | OPEN_STAGES
            float(row["Amount"])


def test_support_export_is_zendesk_shaped(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    organizations, tickets = [], []
    for folder in _dt_folders(root, "support"):
        if (folder / "organizations.jsonl").exists():
            organizations += jsonl(folder / "organizations.jsonl")
        if (folder / "tickets.jsonl").exists():
            tickets += jsonl(folder / "tickets.jsonl")
    assert all(set(o) == {"id", "external_id", "name"} for o in organizations)
    keys = {
        "id",
        "organization_id",
        "requester_id",
        "subject",
        "description",
        "status",
        "priority",
        "type",
        "tags",
        "created_at",
        "updated_at",
    }
    assert all(set(t) == keys for t in tickets)
    assert {t["organization_id"] for t in tickets} <= {o["id"] for o in organizations}
    assert {t["type"] for t in tickets} <= {"question", "problem", "incident", "task"}
    versions: dict[int, list[str]] = {}
    for ticket in tickets:
        assert isinstance(ticket["tags"], list)
        assert ticket["created_at"] <= ticket["updated_at"]
        versions.setdefault(int(ticket["id"]), []).append(str(ticket["updated_at"]))
    assert any(len(v) > 1 for v in versions.values()), "tickets reappear when updated"


def test_cs_notes_and_interventions(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    notes, interventions = [], []
    for folder in _dt_folders(root, "cs"):
        if (folder / "notes.jsonl").exists():
            notes += jsonl(folder / "notes.jsonl")
        if (folder / "interventions.csv").exists():
            columns, rows = read_csv(folder / "interventions.csv")
            assert columns == [
                "intervention_id",
                "account_id",
                "feature_key",
                "type",
                "owner",
                "started_at",
            ]
            interventions += rows
    assert notes and interventions
    keys = {"id", "account_id", "author", "created_at", "channel", "body"}
    assert all(set(n) == keys and n["body"] for n in notes)
    for row in interventions:
        datetime.fromisoformat(row["started_at"])
        assert row["type"] in {
            "training",
            "in_app_guide",
            "technical_onboarding",
            "exec_alignment",
            "success_plan",
            "webinar",
        }


def test_valid_event_lines_follow_the_segment_spec(tiny: tuple[Path, SimulationSummary]) -> None:
    root, summary = tiny
    accounts = {
        a["Id"]
        for a in read_csv(next(iter(sorted((root / "crm").glob("*/accounts.csv"), reverse=True))))[
            1
        ]
    }
    seen = {"track": 0, "identify": 0, "group": 0}
    for _, _, line in event_lines(root):
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not {"type", "messageId", "timestamp"} <= set(message):
            continue
        kind = message["type"]
        seen[kind] += 1
        assert isinstance(message["userId"], str)
        if kind == "track":
            assert isinstance(message["event"], str)
            assert isinstance(message["properties"], dict)
            group = message["context"].get("groupId")
            assert group is None or group in accounts
        elif kind == "identify":
            assert {"email", "name", "role"} <= set(message["traits"])
        else:
            assert message["groupId"] in accounts
    assert min(seen.values()) > 0
    assert summary.events > 3_000

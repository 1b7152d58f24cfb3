"""_truth/ agrees with the landing zone: entitlements, renewals, interventions and mess counts."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

from tests.simulation.conftest import event_lines, read_csv
from uptake.simulation import SimulationSummary
from uptake.simulation.parameters import INTERVENTION_EFFECT

ROOT_CAUSES = {"training", "product_fit", "urgency", "not_relevant", "too_early"}


def _final_snapshot(root: Path, name: str) -> list[dict[str, str]]:
    return read_csv(sorted((root / "crm").glob(f"dt=*/{name}"))[-1])[1]


def test_every_entitled_pair_is_in_feature_truth(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    columns, truth = read_csv(root / "_truth" / "feature_truth.csv")
    assert columns[:5] == ["account_id", "feature_key", "is_entitled", "truth_status", "root_cause"]
    plan_features = defaultdict(set)
    for row in read_csv(root / "catalog" / "plan_features.csv")[1]:
        plan_features[row["plan"]].add(row["feature_key"])
    truth_features = defaultdict(set)
    for row in truth:
        assert row["is_entitled"] == "true"
        assert row["truth_status"] in {"adopted", "gap"}
        if row["truth_status"] == "adopted":
            assert row["root_cause"] == ""
        else:
            assert row["root_cause"] in ROOT_CAUSES
        truth_features[row["account_id"]].add(row["feature_key"])
    assert sum(map(len, truth_features.values())) == len(truth), "no duplicate pairs"
    # An active account's truth covers exactly the plan of its active subscription at the end.
    for sub in _final_snapshot(root, "subscriptions.csv"):
        if sub["Status"] == "Active":
            assert truth_features[sub["AccountId"]] == plan_features[sub["Plan__c"]]
    assert {r["root_cause"] for r in truth} >= {"", "training", "not_relevant"}


def test_renewal_truth_matches_crm_and_churn_stops_activity(
    tiny: tuple[Path, SimulationSummary],
) -> None:
    root, summary = tiny
    _, renewals = read_csv(root / "_truth" / "renewal_truth.csv")
    crm = {r["Id"]: r for r in _final_snapshot(root, "renewals.csv") if r["Type"] == "Renewal"}
    subs = _final_snapshot(root, "subscriptions.csv")
    churned_on = {}
    for row in renewals:
        assert 0.0 <= float(row["churn_probability"]) <= 1.0
        if row["is_closed"] == "true":
            stage = crm[row["renewal_id"]]["StageName"]
            assert stage == ("Closed Lost" if row["churned"] == "true" else "Closed Won")
            if row["churned"] == "true":
                churned_on[row["account_id"]] = date.fromisoformat(row["close_date"])
    assert len(churned_on) == summary.churned_accounts
    for account in churned_on:
        statuses = {s["Status"] for s in subs if s["AccountId"] == account}
        assert "Cancelled" in statuses and "Active" not in statuses
    last_event: dict[str, datetime] = {}
    users: dict[str, str] = {}
    for _, _, line in event_lines(root):
        try:
            message = json.loads(line)
            stamp = datetime.fromisoformat(message["timestamp"])
        except (ValueError, KeyError):
            continue
        if message.get("type") == "group":
            users[message["userId"]] = message["groupId"]
        account = (message.get("context") or {}).get("groupId") or users.get(message["userId"])
        if account and (account not in last_event or stamp > last_event[account]):
            last_event[account] = stamp
    for account, day in churned_on.items():
        assert last_event[account].date() <= day, account


def test_intervention_truth_matches_the_cs_export(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    _, truth = read_csv(root / "_truth" / "intervention_truth.csv")
    exported = {}
    for path in (root / "cs").glob("dt=*/interventions.csv"):
        exported.update({r["intervention_id"]: r for r in read_csv(path)[1]})
    assert {r["intervention_id"] for r in truth} == set(exported)
    for row in truth:
        assert row["type"] == exported[row["intervention_id"]]["type"]
        assert float(row["true_effect"]) == INTERVENTION_EFFECT[row["gap_root_cause"]][row["type"]]
    assert INTERVENTION_EFFECT["product_fit"]["training"] == 0.0


def _classify(line: str) -> tuple[str, dict[str, object] | None]:
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return "not_json", None
    for key, kind in (
        ("type", "missing_type"),
        ("messageId", "missing_message_id"),
        ("timestamp", "missing_timestamp"),
    ):
        if key not in message:
            return kind, None
    try:
        datetime.fromisoformat(str(message["timestamp"]))
    except ValueError:
        return "bad_timestamp", None
    return "valid", message


def test_mess_json_counts_what_the_files_hold(tiny: tuple[Path, SimulationSummary]) -> None:
    root, _ = tiny
    mess = json.loads((root / "_truth" / "mess.json").read_text())
    planted = mess["product_events"]
    kinds: Counter[str] = Counter()
    copies: dict[str, list[str]] = defaultdict(list)
    late = 0
    for path, _, line in event_lines(root):
        kind, message = _classify(line)
        kinds[kind] += 1
        if message is None:
            continue
        copies[str(message["messageId"])].append(str(path))
        delivered = date.fromisoformat(path.parent.name.removeprefix("dt="))
        late += datetime.fromisoformat(str(message["timestamp"])).date() < delivered
    same_file = sum(len(files) - len(set(files)) for files in copies.values())
    across = sum(len(set(files)) - 1 for files in copies.values())
    assert planted["duplicate_message_ids"] == {
        "total": same_file + across,
        "same_file": same_file,
        "across_files": across,
    }
    assert same_file > 0 and across > 0
    assert planted["late_events"] == late > 0
    malformed = {k: v for k, v in kinds.items() if k != "valid"}
    assert planted["malformed_lines"] == {**malformed, "total": sum(malformed.values())}
    assert len(malformed) == 5
    assert planted["valid_lines"] == kinds["valid"]
    assert planted["distinct_message_ids"] == len(copies)


def test_redelivered_files_and_bad_crm_values_are_recorded(
    tiny: tuple[Path, SimulationSummary],
) -> None:
    root, _ = tiny
    mess = json.loads((root / "_truth" / "mess.json").read_text())
    assert 1 <= len(mess["redelivered_files"]) <= 3
    for item in mess["redelivered_files"]:
        current = (root / item["path"]).read_bytes()
        old = (root / item["old_copy"]).read_bytes()
        assert hashlib.sha256(current).hexdigest() == item["new_sha256"]
        assert hashlib.sha256(old).hexdigest() == item["old_sha256"] != item["new_sha256"]
        opener = gzip.decompress if item["path"].endswith(".gz") else (lambda data: data)
        old_lines = opener(old).decode().splitlines()
        assert set(old_lines) < set(opener(current).decode().splitlines())
        assert len(old_lines) == item["old_lines"]
    bad = []
    for path in sorted((root / "crm").glob("dt=*/subscriptions.csv")):
        for number, row in enumerate(read_csv(path)[1], start=1):
            try:
                float(row["ARR__c"])
            except ValueError:
                bad.append((str(path.relative_to(root)), number, row["ARR__c"]))
    planted = [(b["path"], b["row"], b["value"]) for b in mess["crm_bad_values"]]
    assert sorted(bad) == sorted(planted) and mess["crm_bad_value_count"] == len(bad) > 0

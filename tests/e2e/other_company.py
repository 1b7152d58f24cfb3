"""Turn a simulated landing zone into another company's: other feature keys, feature names,
event names, plan names and product complexity, so the pipeline is shown to depend on the
contract and the catalog only, never on the simulator's vocabulary.

Every file is parsed in its own format and rewritten; lines that are not valid JSON (the
planted malformed ones) are copied as they are, so the quarantine still has work to do.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


class Vocabulary:
    def __init__(self, landing: Path) -> None:
        _, features = _read_csv(landing / "catalog" / "features.csv")
        _, plans = _read_csv(landing / "catalog" / "plan_features.csv")
        # Keys and plans in mixed case, with a hyphen, a dot and a space: outputs must carry
        # them as the catalog spells them (docs/contract.md: keys are the source ids).
        self.feature_key = {f["feature_key"]: f"Mod-{i:02d}.X" for i, f in enumerate(features)}
        self.feature_name = {f["feature_name"]: f"Module {i:02d}" for i, f in enumerate(features)}
        events = [e for f in features for e in f["events"].split("|")]
        self.event = {e: f"app.{re.sub(r'[^a-z0-9]+', '_', e.lower())}.v2" for e in events}
        self.plan = {p: f"Tier {p[::-1].title()}" for p in sorted({row["plan"] for row in plans})}
        names = sorted(self.feature_name, key=len, reverse=True)
        self._name_pattern = re.compile("|".join(re.escape(n) for n in names))

    def text(self, value: str) -> str:
        return self._name_pattern.sub(lambda m: self.feature_name[m.group(0)], value)


def _rewrite_lines(path: Path, rewrite_record) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        out.append(json.dumps(rewrite_record(record)) if isinstance(record, dict) else line)
    data = "\n".join(out) + "\n"
    if path.suffix == ".gz":
        with gzip.GzipFile(path, "wb", mtime=0) as handle:
            handle.write(data.encode())
    else:
        path.write_text(data)


def convert(source: Path, target: Path) -> Vocabulary:
    """Copy ``source`` to ``target`` under another company's vocabulary; returns the mapping."""
    shutil.copytree(source, target)
    vocab = Vocabulary(source)
    catalog = target / "catalog"

    header, rows = _read_csv(catalog / "features.csv")
    for row in rows:
        row["feature_key"] = vocab.feature_key[row["feature_key"]]
        row["feature_name"] = vocab.feature_name[row["feature_name"]]
        row["events"] = "|".join(vocab.event[e] for e in row["events"].split("|"))
    _write_csv(catalog / "features.csv", header, rows)

    header, rows = _read_csv(catalog / "plan_features.csv")
    for row in rows:
        row["plan"] = vocab.plan[row["plan"]]
        row["feature_key"] = vocab.feature_key[row["feature_key"]]
    _write_csv(catalog / "plan_features.csv", header, rows)
    _write_csv(catalog / "product.csv", ["key", "value"], [{"key": "complexity", "value": "high"}])

    def event(record: dict) -> dict:
        if record.get("event") in vocab.event:
            record["event"] = vocab.event[record["event"]]
        return record

    def ticket(record: dict) -> dict:
        tags = record.get("tags") or []
        # tags as a help desk lower-cases them: still the catalog's feature
        record["tags"] = [vocab.feature_key.get(t, t).lower() for t in tags]
        for key in ("subject", "description"):
            if isinstance(record.get(key), str):
                record[key] = vocab.text(record[key])
        return record

    def note(record: dict) -> dict:
        if isinstance(record.get("body"), str):
            record["body"] = vocab.text(record["body"])
        return record

    for path in (target / "product_events").rglob("*.jsonl*"):
        _rewrite_lines(path, event)
    for path in (target / "support").rglob("tickets.jsonl*"):
        _rewrite_lines(path, ticket)
    for path in (target / "cs").rglob("notes.jsonl*"):
        _rewrite_lines(path, note)
    for path in (target / "crm").rglob("subscriptions.csv"):
        header, rows = _read_csv(path)
        for row in rows:
            # the CRM's picklist in capitals: still the catalog's plan
            row["Plan__c"] = vocab.plan.get(row["Plan__c"], row["Plan__c"]).upper()
        _write_csv(path, header, rows)
    for path in (target / "cs").rglob("interventions.csv"):
        header, rows = _read_csv(path)
        for row in rows:
            # a CSM typing the key in lower case: still the catalog's feature
            key = vocab.feature_key.get(row["feature_key"], row["feature_key"])
            row["feature_key"] = key.lower()
        _write_csv(path, header, rows)
    truth = target / "_truth" / "feature_truth.csv"
    frame = io.StringIO(truth.read_text())
    header, rows = list(csv.DictReader(frame).fieldnames or []), []
    frame.seek(0)
    for row in csv.DictReader(frame):
        row["feature_key"] = vocab.feature_key[row["feature_key"]]
        rows.append(row)
    _write_csv(truth, header, rows)
    return vocab


OPTIONAL_ACCOUNT_FIELDS = ("Industry", "NumberOfEmployees", "OwnerId", "Primary_Use_Case__c")


def blank_optional_crm_fields(landing: Path) -> None:
    """Empty the optional CRM account fields in every snapshot, as a real SaaS export had them:
    no use case, size, industry or owner on any account."""
    for path in (landing / "crm").rglob("accounts.csv"):
        header, rows = _read_csv(path)
        for row in rows:
            for field in OPTIONAL_ACCOUNT_FIELDS:
                row[field] = ""
        _write_csv(path, header, rows)


def write_crm_loosely(landing: Path) -> set[str]:
    """Write the CRM as a looser export does: account ids padded with spaces, picklist values
    in other cases (`active`, ` CLOSED LOST`, `renewal`), no `EndDate` on every third
    subscription (evergreen contracts). Returns the accounts that churned (a `Renewal` that is
    `Closed Lost`), read before the rewrite."""
    churned: set[str] = set()
    for path in (landing / "crm").rglob("*.csv"):
        header, rows = _read_csv(path)
        for row in rows:
            if path.name == "accounts.csv":
                row["Id"] = row["Id"] + " "
            elif path.name == "subscriptions.csv":
                row["AccountId"] = " " + row["AccountId"]
                row["Status"] = row["Status"].lower()
                if sum(map(ord, row["Id"])) % 3 == 0:
                    row["EndDate"] = ""
            elif path.name == "renewals.csv":
                if (row["Type"], row["StageName"]) == ("Renewal", "Closed Lost"):
                    churned.add(row["AccountId"])
                row["Type"] = row["Type"].lower()
                row["StageName"] = " " + row["StageName"].upper()
        _write_csv(path, header, rows)
    return churned

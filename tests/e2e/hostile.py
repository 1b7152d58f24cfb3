"""Add one of each hostile item to a simulated landing zone, and say where each must end up.

Used by the end-to-end test that runs the whole pipeline over it: every item must be found in
``raw.quarantine`` with a reason (or loaded, where it is data), nothing from outside the landing
zone may reach the warehouse, and the run must still fill every contract table.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# Marker values that must never appear in raw: they live outside the landing zone.
LEAKED_MESSAGE_ID = "LEAKED-OUTSIDE-1"
LEAKED_TICKET_SUBJECT = "LEAKED OUTSIDE TICKET"
PART_MESSAGE_PREFIX = "underscore-part-"


@dataclass(frozen=True)
class HostileItem:
    name: str
    file_path: str  # as raw.quarantine.file_path / raw.load_audit.file_path will name it
    # None: the whole file is data and must load; otherwise a line_number of None means a
    # file-level quarantine row, an int a line-level one.
    quarantined: bool
    line_level: bool = False


def _event(message_id: str, day: date, account: str, user: str = "u-hostile") -> dict:
    return {
        "type": "track",
        "messageId": message_id,
        "timestamp": f"{day.isoformat()}T10:00:00.000Z",
        "userId": user,
        "event": "Hostile Probe",
        "properties": {},
        "context": {"groupId": account},
    }


def _jsonl(records: list[object]) -> bytes:
    return ("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n").encode()


def _latest(landing: Path, source: str) -> str:
    return sorted(p.name for p in (landing / source).iterdir() if p.name.startswith("dt="))[-1]


def _first_account(landing: Path, dt: str) -> str:
    with (landing / "crm" / dt / "accounts.csv").open(newline="") as handle:
        return next(csv.DictReader(handle))["Id"]


def _gzip_of_zeros(path: Path, size: int) -> None:
    """A gzip member of ``size`` zero bytes, written in chunks so building it stays small."""
    chunk = bytes(16 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = chunk[: min(len(chunk), size - written)]
            out.write(compressor.compress(piece))
            written += len(piece)
        out.write(compressor.flush())


def add_hostile_items(landing: Path, outside: Path, bomb_bytes: int) -> list[HostileItem]:
    """Write the hostile items into ``landing`` (and their symlink targets into ``outside``)."""
    items: list[HostileItem] = []
    events_dt = _latest(landing, "product_events")
    crm_dt = _latest(landing, "crm")
    day = date.fromisoformat(events_dt[3:])
    account = _first_account(landing, crm_dt)
    events = landing / "product_events" / events_dt

    # A symlinked file and a symlinked folder, both pointing outside the landing zone.
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.jsonl"
    secret.write_bytes(_jsonl([_event(LEAKED_MESSAGE_ID, day, account)]))
    (events / "linked.jsonl").symlink_to(secret)
    items.append(HostileItem("symlinked file", f"product_events/{events_dt}/linked.jsonl", True))
    outside_delivery = outside / "support_delivery"
    outside_delivery.mkdir(exist_ok=True)
    ticket = {"id": 999999, "organization_id": 1, "subject": LEAKED_TICKET_SUBJECT}
    (outside_delivery / "tickets.jsonl").write_bytes(_jsonl([ticket]))
    linked_dt = f"dt={(day - timedelta(days=400)).isoformat()}"
    (landing / "support" / linked_dt).symlink_to(outside_delivery, target_is_directory=True)
    items.append(HostileItem("symlinked folder", f"support/{linked_dt}/", True))

    # A file name that is not UTF-8: refused under an escaped name, the rest still loads.
    bad_name = os.fsencode(events) + b"/events-\xff.jsonl"
    with open(bad_name, "wb") as handle:
        handle.write(_jsonl([_event("non-utf8-name-1", day, account)]))
    items.append(
        HostileItem("non-UTF-8 name", f"product_events/{events_dt}/events-\\xff.jsonl", True)
    )

    # Misnamed, empty, header-only and headerless files.
    crm = landing / "crm" / crm_dt
    (crm / "Accounts.csv").write_bytes((crm / "accounts.csv").read_bytes())
    items.append(HostileItem("misnamed CSV", f"crm/{crm_dt}/Accounts.csv", True))
    (events / "events.json.gz").write_bytes(
        gzip.compress(_jsonl([_event("misnamed", day, account)]))
    )
    items.append(HostileItem("misnamed JSON", f"product_events/{events_dt}/events.json.gz", True))
    (events / "empty.jsonl").write_bytes(b"")
    items.append(HostileItem("empty file", f"product_events/{events_dt}/empty.jsonl", True))
    extra_cs = f"dt={(day - timedelta(days=2)).isoformat()}"
    (landing / "cs" / extra_cs).mkdir(exist_ok=True)
    header_only = landing / "cs" / extra_cs / "interventions.csv"
    header_only.write_text("intervention_id,account_id,feature_key,type,owner,started_at\n")
    items.append(HostileItem("header-only CSV", f"cs/{extra_cs}/interventions.csv", True))
    extra_crm = f"dt={(day - timedelta(days=3)).isoformat()}"
    (landing / "crm" / extra_crm).mkdir(exist_ok=True)
    (landing / "crm" / extra_crm / "renewals.csv").write_text(
        f"006X1,{account},{day.isoformat()},Renewal,Closed Won,1000\n"
        f"006X2,{account},{day.isoformat()},Renewal,Closed Won,2000\n"
    )
    # Every row kept in the quarantine (missing_header), each under its own line.
    items.append(
        HostileItem("CSV without header", f"crm/{extra_crm}/renewals.csv", True, line_level=True)
    )

    # An underscore-prefixed file below a dt= folder is data.
    part = [_event(f"{PART_MESSAGE_PREFIX}{i}", day, account) for i in range(3)]
    (events / "_part-0001.jsonl").write_bytes(_jsonl(part))
    items.append(
        HostileItem("_-prefixed part", f"product_events/{events_dt}/_part-0001.jsonl", False)
    )

    # A stray quote: only its own line is lost.
    stray_dt = f"dt={(day - timedelta(days=4)).isoformat()}"
    (landing / "cs" / stray_dt).mkdir(exist_ok=True)
    (landing / "cs" / stray_dt / "interventions.csv").write_text(
        "intervention_id,account_id,feature_key,type,owner,started_at\n"
        f"iv-stray-1,{account},,training,csm-1,{day.isoformat()}T09:00:00Z\n"
        f'iv-stray-2,{account},,"training,csm-1,{day.isoformat()}T09:00:00Z\n'
        f"iv-stray-3,{account},,training,csm-1,{day.isoformat()}T09:00:00Z\n"
    )
    items.append(
        HostileItem("stray quote", f"cs/{stray_dt}/interventions.csv", True, line_level=True)
    )

    # Values that break the contract, each on a line of its own.
    broken = [
        {**_event("wrong-type-1", day, account), "userId": True},
        {**_event("wrong-type-2", day, account), "context": {"groupId": {"id": account}}},
        {**_event("special-date-1", day, account), "timestamp": "infinity"},
        {**_event("before-1970-1", day, account), "timestamp": "1969-12-31T23:59:59Z"},
        {**_event("far-future-1", day, account), "timestamp": "2999-01-01T00:00:00Z"},
    ]
    (events / "broken-values.jsonl").write_bytes(_jsonl(broken))
    items.append(
        HostileItem(
            "contract-breaking values",
            f"product_events/{events_dt}/broken-values.jsonl",
            True,
            line_level=True,
        )
    )
    subscriptions = crm / "subscriptions.csv"
    rows = list(csv.reader(io.StringIO(subscriptions.read_text())))
    header = rows[0]
    extra = []
    for suffix, arr, seats, start in (
        ("neg", "-100", "5", "2019-01-01"),
        ("nan", "lots", "5", "2019-01-01"),
        ("seats", "1000", "-3", "2019-01-01"),
        ("inf", "1000", "5", "infinity"),
        ("epoch", "1000", "5", "epoch"),
        ("old", "1000", "5", "1900-01-01"),
    ):
        row = dict(zip(header, rows[1], strict=True))
        row.update(Id=f"a0Sbad{suffix}", ARR__c=arr, Seats__c=seats, StartDate=start)
        extra.append([row[h] for h in header])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows + extra)
    subscriptions.write_text(buffer.getvalue())
    items.append(
        HostileItem("bad ARR/seats/dates", f"crm/{crm_dt}/subscriptions.csv", True, line_level=True)
    )
    features = landing / "catalog" / "features.csv"
    lines = features.read_text().splitlines()
    first = lines[1].split(",")
    duplicate = ",".join([first[0], "Duplicate Name", *first[2:]])
    unknown_category = ",".join(["hostile_feature", "Hostile", "bogus", *first[3:]])
    features.write_text("\n".join([*lines, duplicate, unknown_category]) + "\n")
    items.append(HostileItem("catalog values", "catalog/features.csv", True, line_level=True))
    plans = landing / "catalog" / "plan_features.csv"
    plan = plans.read_text().splitlines()[1].split(",")[0]
    plans.write_text(plans.read_text() + f"{plan},ghost_feature\n")
    items.append(
        HostileItem("unknown plan feature", "catalog/plan_features.csv", True, line_level=True)
    )

    # A gzip bomb.
    _gzip_of_zeros(events / "bomb.jsonl.gz", bomb_bytes)
    items.append(HostileItem("gzip bomb", f"product_events/{events_dt}/bomb.jsonl.gz", True))

    # A stray file in a far-future folder must not move the as-of date; a future delivery of
    # real files is refused.
    (landing / "crm" / "dt=2099-12-31").mkdir()
    (landing / "crm" / "dt=2099-12-31" / "README.txt").write_text("not data\n")
    items.append(HostileItem("stray README", "crm/dt=2099-12-31/README.txt", True))
    future_dt = f"dt={(date.today() + timedelta(days=30)).isoformat()}"
    (landing / "product_events" / future_dt).mkdir()
    (landing / "product_events" / future_dt / "events.jsonl").write_bytes(
        _jsonl([_event("from-the-future-1", day, account)])
    )
    items.append(HostileItem("future delivery", f"product_events/{future_dt}/events.jsonl", True))
    return items

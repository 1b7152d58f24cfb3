"""Finding the files of a landing zone (CONTRACT section 1), without reading them."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from uptake.extract.specs import SOURCES, EntitySpec, spec_for

log = logging.getLogger(__name__)

_DT_FOLDER = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
REQUIRED_FILE = "catalog/features.csv"


class LandingZoneError(RuntimeError):
    """The landing zone is missing or lacks what every run needs."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative_path: str  # POSIX path from the landing root: the file's identity in raw.*
    spec: EntitySpec
    delivery_date: date | None
    # Set when the whole file breaks the contract (quarantined as one row, never parsed).
    problem: str | None = None


@dataclass
class Discovery:
    files: list[LandingFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # relative paths nobody reads, logged


def is_hidden(name: str) -> bool:
    """Names starting with ``_`` or ``.`` (a simulator's ``_truth/``, ``.DS_Store``) are skipped."""
    return name.startswith(("_", "."))


def check_landing_zone(landing_dir: Path) -> None:
    if not landing_dir.is_dir():
        raise LandingZoneError(f"landing zone {landing_dir} does not exist or is not a folder")
    if not (landing_dir / REQUIRED_FILE).is_file():
        raise LandingZoneError(f"landing zone {landing_dir} has no {REQUIRED_FILE}")


def _delivery_date(folder_name: str) -> date | None:
    match = _DT_FOLDER.match(folder_name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _visible(folder: Path) -> list[Path]:
    return sorted(entry for entry in folder.iterdir() if not is_hidden(entry.name))


def discover(landing_dir: Path) -> Discovery:
    """Every loadable file under ``landing_dir``, in a stable order, plus what was ignored."""
    found = Discovery()

    def ignore(path: Path) -> None:
        relative = path.relative_to(landing_dir).as_posix() + ("/" if path.is_dir() else "")
        log.warning("ignoring %s: not part of the landing-zone contract", relative)
        found.ignored.append(relative)

    def add_file(path: Path, source: str, delivery: date | None, problem: str | None) -> None:
        spec = spec_for(source, path.name) if path.is_file() else None
        if spec is None:
            ignore(path)
            return
        relative = path.relative_to(landing_dir).as_posix()
        found.files.append(LandingFile(path, relative, spec, delivery, problem))

    for source_dir in _visible(landing_dir):
        if not source_dir.is_dir() or source_dir.name not in SOURCES:
            ignore(source_dir)
            continue
        source = source_dir.name
        for entry in _visible(source_dir):
            if source == "catalog":
                add_file(entry, source, None, None)
            elif entry.is_dir() and entry.name.startswith("dt="):
                delivery = _delivery_date(entry.name)
                problem = None if delivery else "invalid_delivery_date"
                for path in _visible(entry):
                    add_file(path, source, delivery, problem)
            else:
                ignore(entry)
    return found


def latest_delivery_date(landing_dir: Path) -> date | None:
    """The newest ``dt=`` folder holding a file, across the known sources; None if none."""
    latest: date | None = None
    if not landing_dir.is_dir():
        return None
    for source_dir in _visible(landing_dir):
        if not source_dir.is_dir() or source_dir.name not in SOURCES:
            continue
        for entry in _visible(source_dir):
            delivery = _delivery_date(entry.name) if entry.is_dir() else None
            if delivery is None or (latest is not None and delivery <= latest):
                continue
            if any(path.is_file() and not is_hidden(path.name) for path in entry.iterdir()):
                latest = delivery
    return latest

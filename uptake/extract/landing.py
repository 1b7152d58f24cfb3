"""Finding the files of a landing zone (docs/contract.md section 1), without reading them.

Discovery also refuses, without ever opening them, the paths that must not be loaded: a symlink
leading out of the landing zone, a name that is not UTF-8, a name the contract does not know,
something that is not a regular file, an empty file, a file in a malformed or future ``dt=``
folder. Each refused path becomes one file-level quarantine row (see ``refusals.py``), so nothing
in the landing zone vanishes silently. Discovery lists each folder once and never recurses below
``<source>/dt=*/``, so a symlink loop cannot make it loop.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from uptake.extract.specs import SOURCES, EntitySpec, spec_for

_DT_FOLDER = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
REQUIRED_FILE = "catalog/features.csv"
CATALOG = "catalog"
# Source and entity of a refused path that belongs to no entity of the contract.
UNKNOWN = "unknown"

# Reasons a whole path is refused by discovery (raw.quarantine.reason, line_number NULL).
SYMLINK_OUTSIDE = "symlink_outside_landing_zone"
NON_UTF8_NAME = "non_utf8_name"
UNKNOWN_SOURCE = "unknown_source"
UNRECOGNIZED_FILE = "unrecognized_file_name"
UNRECOGNIZED_FOLDER = "unrecognized_folder"
NOT_A_REGULAR_FILE = "not_a_regular_file"
UNREADABLE_PATH = "unreadable_path"
EMPTY_FILE = "empty_file"
INVALID_DELIVERY_DATE = "invalid_delivery_date"
FUTURE_DELIVERY = "future_delivery_date"
# Refusals that mean "not part of the contract" (also listed in LoadSummary.ignored_paths).
NOT_IN_CONTRACT = (UNKNOWN_SOURCE, UNRECOGNIZED_FILE, UNRECOGNIZED_FOLDER)


class LandingZoneError(RuntimeError):
    """The landing zone is missing or lacks what every run needs."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative_path: str  # POSIX path from the landing root: the file's identity in raw.*
    spec: EntitySpec
    delivery_date: date | None
    # Kept for the loader's interface; discovery now refuses such files itself (RefusedPath).
    problem: str | None = None


@dataclass(frozen=True)
class RefusedPath:
    """A path quarantined as a whole without being read."""

    relative_path: str  # valid UTF-8 (see escape_name); folders end with "/"
    source: str
    entity: str
    spec: EntitySpec | None  # the entity its name would have been loaded as, if any
    delivery_date: date | None
    reason: str
    detail: str


@dataclass
class Discovery:
    files: list[LandingFile] = field(default_factory=list)
    refused: list[RefusedPath] = field(default_factory=list)
    # "<source>/dt=YYYY-MM-DD" folders dated after today holding a contract file: not loaded,
    # listed for the report.
    future_deliveries: list[str] = field(default_factory=list)
    # Files of a source that is pulled from another system, left in the landing zone: not read.
    superseded: list[str] = field(default_factory=list)

    @property
    def ignored(self) -> list[str]:
        """Relative paths that are not part of the contract (each also quarantined)."""
        return [r.relative_path for r in self.refused if r.reason in NOT_IN_CONTRACT]


def is_hidden(name: str) -> bool:
    """Root folders named ``_*`` or ``.*`` (a simulator's ``_truth/``) are not sources."""
    return name.startswith(("_", "."))


def escape_name(name: str) -> str:
    """A file-system name as valid UTF-8 text: bytes that are not UTF-8 become ``\\xff``.

    Python hands such bytes over as lone surrogates, which DuckDB and Arrow refuse; nothing
    else is changed, so a UTF-8 name is its own escape.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte (not from the OS)
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    return not any("\ud800" <= char <= "\udfff" for char in name)


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


class _Walk:
    """One pass over the landing zone: three fixed levels, each folder listed once."""

    def __init__(self, landing_dir: Path, today: date) -> None:
        self.landing_dir = landing_dir
        self.root = os.path.realpath(landing_dir)
        self.today = today
        self.found = Discovery()

    def refuse(
        self,
        relative: str,
        reason: str,
        detail: str,
        source: str = UNKNOWN,
        spec: EntitySpec | None = None,
        delivery: date | None = None,
    ) -> None:
        entity = spec.entity if spec is not None else UNKNOWN
        refused = RefusedPath(relative, source, entity, spec, delivery, reason, detail)
        self.found.refused.append(refused)

    def entries(self, folder: str, relative: str, source: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as listing:
                return sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            self.refuse(relative, UNREADABLE_PATH, str(exc), source)
            return []

    def escapes(self, entry: os.DirEntry[str]) -> str | None:
        """Why following ``entry`` would leave the landing zone, or None when it does not.

        Symlinks that stay inside are followed; one into a ``_``/``.`` root folder counts as
        leaving it, since those folders are not part of the landing zone.
        """
        if not entry.is_symlink():
            return None
        target = os.path.realpath(entry.path)
        if target == self.root:
            return None
        try:
            inside = os.path.commonpath([self.root, target]) == self.root
        except ValueError:  # different drives
            inside = False
        if inside and not is_hidden(os.path.relpath(target, self.root).split(os.sep)[0]):
            return None
        return f"symlink to {escape_name(target)}"

    def walk(self) -> Discovery:
        try:
            with os.scandir(self.landing_dir) as listing:
                roots = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            raise LandingZoneError(
                f"cannot list the landing zone {self.landing_dir}: {exc}"
            ) from exc
        for entry in roots:
            if is_hidden(entry.name):
                continue  # the contract: not a source, never read
            try:
                self.source_entry(entry)
            except OSError as exc:
                self.refuse(escape_name(entry.name), UNREADABLE_PATH, str(exc))
        return self.found

    def source_entry(self, entry: os.DirEntry[str]) -> None:
        name = escape_name(entry.name)
        is_dir = entry.is_dir()
        relative = name + ("/" if is_dir else "")
        source = entry.name if entry.name in SOURCES else UNKNOWN
        if not _is_utf8(entry.name):
            self.refuse(relative, NON_UTF8_NAME, "folder or file name is not UTF-8")
        elif (outside := self.escapes(entry)) is not None:
            self.refuse(relative, SYMLINK_OUTSIDE, outside, source)
        elif not is_dir:
            self.refuse(relative, UNRECOGNIZED_FILE, "a file at the landing-zone root")
        elif source == UNKNOWN:
            self.refuse(relative, UNKNOWN_SOURCE, "not a source of the contract")
        else:
            for child in self.entries(entry.path, relative, source):
                try:
                    self.source_child(child, source, relative)
                except OSError as exc:
                    self.refuse(relative + escape_name(child.name), UNREADABLE_PATH, str(exc))

    def source_child(self, entry: os.DirEntry[str], source: str, parent: str) -> None:
        if source == CATALOG:
            self.file(entry, source, parent, None)
            return
        name = escape_name(entry.name)
        is_dir = entry.is_dir()
        relative = parent + name + ("/" if is_dir else "")
        if not _is_utf8(entry.name):
            self.refuse(relative, NON_UTF8_NAME, "folder or file name is not UTF-8", source)
        elif (outside := self.escapes(entry)) is not None:
            self.refuse(relative, SYMLINK_OUTSIDE, outside, source)
        elif not is_dir:
            self.refuse(
                relative, UNRECOGNIZED_FILE, "files belong in dt=YYYY-MM-DD folders", source
            )
        elif not entry.name.startswith("dt="):
            self.refuse(relative, UNRECOGNIZED_FOLDER, "not a dt=YYYY-MM-DD folder", source)
        else:
            delivery = _delivery_date(entry.name)
            for child in self.entries(entry.path, relative, source):
                try:
                    self.file(child, source, relative, delivery, entry.name)
                except OSError as exc:
                    self.refuse(relative + escape_name(child.name), UNREADABLE_PATH, str(exc))

    def file(
        self,
        entry: os.DirEntry[str],
        source: str,
        parent: str,
        delivery: date | None,
        folder: str | None = None,
    ) -> None:
        """A file below a source (``folder`` is its ``dt=`` folder name, None in catalog/)."""
        name = escape_name(entry.name)
        is_dir = entry.is_dir()
        relative = parent + name + ("/" if is_dir else "")
        if not _is_utf8(entry.name):
            self.refuse(relative, NON_UTF8_NAME, "file name is not UTF-8", source)
            return
        # A name starting with "." is never data (checksums, editors' and uploaders' temp files).
        hidden = entry.name.startswith(".")
        spec = None if is_dir or hidden else spec_for(source, entry.name)
        if (outside := self.escapes(entry)) is not None:
            self.refuse(relative, SYMLINK_OUTSIDE, outside, source, spec, delivery)
            return
        if is_dir:
            self.refuse(relative, UNRECOGNIZED_FOLDER, "no folders below this level", source)
            return
        if spec is None:
            self.refuse(relative, UNRECOGNIZED_FILE, "not a file name of the contract", source)
            return
        if not entry.is_file():
            self.refuse(relative, NOT_A_REGULAR_FILE, "a pipe, socket, device or broken link",
                        source, spec, delivery)  # fmt: skip
            return
        if folder is not None and delivery is None:
            detail = f"{escape_name(folder)} is not a valid dt=YYYY-MM-DD date"
            self.refuse(relative, INVALID_DELIVERY_DATE, detail, source, spec)
        elif delivery is not None and delivery > self.today:
            detail = f"delivered for {delivery}, after today ({self.today})"
            self.refuse(relative, FUTURE_DELIVERY, detail, source, spec, delivery)
            if parent.rstrip("/") not in self.found.future_deliveries:
                self.found.future_deliveries.append(parent.rstrip("/"))
        elif entry.stat().st_size == 0:
            self.refuse(relative, EMPTY_FILE, "0 bytes", source, spec, delivery)
        else:
            path = Path(entry.path)
            self.found.files.append(LandingFile(path, relative, spec, delivery))


def discover(landing_dir: Path, today: date | None = None) -> Discovery:
    """Every loadable file under ``landing_dir`` in a stable order, and every refused path.

    ``today`` (default: the machine's date) bounds the delivery dates: a later ``dt=`` folder
    is not loaded yet.
    """
    return _Walk(landing_dir, today or date.today()).walk()


def latest_delivery_date(landing_dir: Path, today: date | None = None) -> date | None:
    """The newest delivery date holding a file the loader loads; None if there is none.

    Only a non-empty file the contract names counts (a stray ``README.txt`` does not), and a
    ``dt=`` folder dated after ``today`` (default: the machine's date) is not a delivery yet.
    """
    if not landing_dir.is_dir():
        return None
    dates = [f.delivery_date for f in discover(landing_dir, today).files if f.delivery_date]
    return max(dates, default=None)

"""Atomic deliveries and durable state for pulled sources.

A pull stages every file of its delivery as a hidden temporary file (names starting with ``.``
are never read by the loader), then renames them into place, and only then saves its state.
A pull that fails before the renames leaves the delivery folder as it was and its state
unchanged, so the next run fetches the same changes again.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import IO, Any


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Delivery:
    """The files of one ``<source>/dt=<as_of>/`` delivery, written all together or not at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staged: dict[str, Path] = {}  # final name -> hidden temporary file

    def open(self, name: str) -> IO[str]:
        """A text file to write ``name`` into; it becomes visible only at :meth:`commit`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.{uuid.uuid4().hex}.tmp"
        self._staged[name] = tmp
        return tmp.open("w", encoding="utf-8", newline="")

    def commit(self) -> list[Path]:
        """Flush the staged files to disk and rename them into place."""
        for tmp in self._staged.values():
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
        written = []
        for name, tmp in self._staged.items():
            os.replace(tmp, self.folder / name)
            written.append(self.folder / name)
        _fsync_dir(self.folder)
        self._staged.clear()
        return written

    def abort(self) -> None:
        """Remove whatever was staged; the delivery folder keeps its previous files."""
        for tmp in self._staged.values():
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> Delivery:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.abort()


def load_state(path: Path) -> dict[str, Any]:
    """A source's saved state, or ``{}`` before its first successful pull."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Replace the state file atomically (write a temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(state, handle, separators=(",", ":"), sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)

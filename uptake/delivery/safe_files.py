"""Atomic file writes and file names safe to build from untrusted ids."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def slug(value: str) -> str:
    """A file name stem for ``value`` (an account id, a CSM name): the value itself when it is
    already safe on any file system, else a readable form plus a short hash that keeps "a b"
    and "a/b" apart."""
    value = str(value)
    if _UNSAFE.search(value) is None and 0 < len(value) <= 60 and not value.startswith("-"):
        return value
    readable = _UNSAFE.sub("-", value).strip("-")[:40] or "x"
    digest = hashlib.sha1(str(value).encode()).hexdigest()[:8]
    return f"{readable}-{digest}"


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write through a temporary sibling and rename: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)
    return path


def prune(root: Path, keep: list[Path], folders: tuple[str, ...]) -> int:
    """Delete files under ``root/<folder>`` that this run did not write (pages of accounts or
    CSMs that are gone), so the report never links to yesterday's leftovers."""
    kept = {path.resolve() for path in keep}
    removed = 0
    for folder in folders:
        for path in (root / folder).glob("*"):
            if path.is_file() and path.resolve() not in kept:
                path.unlink()
                removed += 1
    return removed

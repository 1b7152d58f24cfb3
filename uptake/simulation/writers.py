"""Byte-reproducible file writers (gzip without a timestamp, fixed CSV dialect)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path


def encode(text: str, gzipped: bool) -> bytes:
    data = text.encode("utf-8")
    # mtime=0 keeps the gzip header free of the wall clock: same seed, same bytes.
    return gzip.compress(data, compresslevel=5, mtime=0) if gzipped else data


def write_bytes(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` (creating folders); return its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    rows = list(rows)
    write_bytes(path, csv_text(header, rows).encode("utf-8"))
    return len(rows)


def write_jsonl(path: Path, records: Iterable[dict[str, object]]) -> int:
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    return len(lines)

"""Turning a file's bytes into an Arrow table of text values that SQL then checks and types.

JSON lines are not parsed in Python: each line becomes one Arrow string that points into the
decompressed buffer (no copy), and DuckDB's JSON functions do the parsing, vectorised on all
cores. CSV goes through Python's ``csv`` module in strict mode, which handles quoting and
embedded newlines exactly; a line it rejects is quarantined alone and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from isal import isal_zlib

from uptake.extract.specs import EntitySpec
from uptake.settings import MAX_FILE_BYTES, MAX_LINE_BYTES

INVALID_UTF8 = "invalid_utf8"
LINE_TOO_LONG = "line_too_long"
FILE_TOO_LARGE = "file_too_large"
MALFORMED_ROW = "malformed_csv_row"
MISSING_HEADER = "missing_header"
_SURROGATE = re.compile("[\udc80-\udcff]")
# A quarantined over-long line keeps this many bytes: enough to recognise it, never the bulk.
RECORD_PREFIX_BYTES = 256
# Compressed bytes fed to the inflater per step, and most bytes it may produce per step (its
# transient buffers are about twice that): small steps keep a gzip bomb's cost at the limit.
_INFLATE_INPUT = 64 * 1024
_INFLATE_OUTPUT = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one file may cost in memory, and the encoding a CSV that is not UTF-8
    is read in (empty: none, its bad rows are quarantined); from Settings, see
    ``extract_all``."""

    max_line_bytes: int = MAX_LINE_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    csv_fallback_encoding: str = ""


class UnreadableFileError(ValueError):
    """The file's bytes cannot be turned into rows at all (e.g. a corrupt gzip stream)."""


class FileTooLargeError(UnreadableFileError):
    """The file (decompressed) passes ``ReadLimits.max_file_bytes``: nothing of it loads."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes decompressed (the file size limit)")


def content_hash(data: bytes) -> str:
    """The file's identity next to its path: a changed hash means a re-delivery."""
    return hashlib.sha256(data).hexdigest()


def _inflated_chunks(data: bytes) -> Iterator[bytes]:
    """The inflated content of a gzip file, step by step (at most ``_INFLATE_OUTPUT`` a step).

    Gzip members are read one after the other like ``gzip.decompress`` (zero padding allowed).
    """
    view = memoryview(data)
    position = 0  # the next byte of ``data`` not yet given to an inflater
    pending: bytes | memoryview = b""  # given to the inflater, not consumed yet
    inflater = None
    members = 0
    try:
        while True:
            if inflater is None and members:  # the next member, after optional zero padding
                pending = bytes(pending).lstrip(b"\0")
                while not pending and position < len(data):
                    pending = bytes(view[position : position + _INFLATE_INPUT]).lstrip(b"\0")
                    position += _INFLATE_INPUT
                if not pending:
                    return
            if inflater is None:
                inflater, members = isal_zlib.decompressobj(wbits=31), members + 1
            if not pending:
                pending = view[position : position + _INFLATE_INPUT]
                position += len(pending)
            chunk = inflater.decompress(pending, _INFLATE_OUTPUT)
            yield chunk
            if inflater.eof:
                pending, inflater = inflater.unused_data, None
                continue
            pending = inflater.unconsumed_tail
            if not pending and not chunk and position >= len(data):
                raise UnreadableFileError("corrupt gzip: the file ends inside a member")
    except isal_zlib.error as exc:
        raise UnreadableFileError(f"corrupt gzip: {exc}") from exc


def decompress(data: bytes, file_name: str, max_bytes: int | None = None) -> bytes | bytearray:
    """The file's content; a ``.gz`` file is inflated step by step, at most ``max_bytes``.

    A first pass only counts the inflated bytes, keeping none of them, and raises
    :class:`FileTooLargeError` as soon as the count passes ``max_bytes``: a gzip bomb costs
    one inflate step of memory, never the limit. Only a file within the limit is inflated
    again and kept. ISA-L inflates about 5 times faster than zlib (0.08 against 0.44 CPU-s for
    228 MB), so the counting pass is cheap.
    """
    limit = ReadLimits().max_file_bytes if max_bytes is None else max_bytes
    if not file_name.endswith(".gz"):
        if len(data) > limit:
            raise FileTooLargeError(limit)
        return data
    out = bytearray()
    if not data:  # an empty file holds no member, as for gzip.decompress
        return out
    size = 0
    for chunk in _inflated_chunks(data):
        size += len(chunk)
        if size > limit:
            raise FileTooLargeError(limit)
    for chunk in _inflated_chunks(data):
        out += chunk
    return out


def _lines_array(data: bytes | bytearray, start: int) -> pa.LargeStringArray:
    """Zero-copy: one string per physical line, newline included, pointing into ``data``."""
    codes = np.frombuffer(data, dtype=np.uint8)
    step = 64 * 1024 * 1024  # bounds the temporary mask to one slice of the file
    newlines = [
        np.flatnonzero(codes[offset : offset + step] == ord("\n")) + offset
        for offset in range(0, len(codes), step)
    ]
    ends = np.concatenate([*newlines, np.empty(0, np.int64)]).astype(np.int64) + 1
    offsets = np.empty(len(ends) + 2, dtype=np.int64)
    offsets[0] = start
    offsets[1 : len(ends) + 1] = ends
    offsets[-1] = len(data)
    if len(ends) and ends[-1] == len(data):  # the file ends with a newline: no line after it
        offsets = offsets[:-1]
    count = len(offsets) - 1
    return pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))


def _line_offsets(lines: pa.LargeStringArray) -> np.ndarray:
    return np.frombuffer(lines.buffers()[1], dtype=np.int64)[: len(lines) + 1]


def _too_long(lines: pa.LargeStringArray, data: bytes | bytearray, limit: int) -> np.ndarray:
    sizes = np.diff(_line_offsets(lines))
    sizes[:-1] -= 1  # every line but the last ends with a newline, not part of its size
    if len(sizes) and data[-1:] == b"\n":
        sizes[-1] -= 1
    return sizes > limit


def _prefix(line: bytes | bytearray) -> str:
    """What a quarantined over-long line keeps (bytes that are not UTF-8 shown as U+FFFD)."""
    return bytes(line[:RECORD_PREFIX_BYTES]).decode("utf-8", errors="replace")


def jsonl_table(
    file_id: int, data: bytes | bytearray, max_line_bytes: int | None = None
) -> pa.Table:
    """One row per physical line: ``file_id, line_number, line, pre_reason``.

    Lines keep their trailing newline (JSON ignores trailing whitespace); SQL drops blank
    lines and strips the newline from quarantined records. A line longer than
    ``max_line_bytes`` (without its newline) is quarantined as ``line_too_long`` and keeps
    only a short prefix, so it never reaches the JSON parser.
    """
    limit = ReadLimits().max_line_bytes if max_line_bytes is None else max_line_bytes
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    lines = _lines_array(data, start)
    count = len(lines)
    try:
        lines.validate(full=True)  # UTF-8 check without decoding a copy of the file
    except pa.ArrowInvalid:
        return _jsonl_table_line_by_line(file_id, data[start:], limit)
    reasons = pa.nulls(count, pa.string())
    too_long = _too_long(lines, data, limit)
    if too_long.any():  # rare: only then are lines copied
        starts = _line_offsets(lines)[np.flatnonzero(too_long)]
        prefixes = [_prefix(data[begin : begin + RECORD_PREFIX_BYTES]) for begin in starts]
        mask = pa.array(too_long)
        lines = pc.replace_with_mask(lines, mask, pa.array(prefixes, pa.large_string()))
        reasons = pc.replace_with_mask(reasons, mask, pa.array([LINE_TOO_LONG] * len(starts)))
    return pa.table(
        {
            "file_id": pa.array(np.full(count, file_id, dtype=np.int32)),
            "line_number": pa.array(np.arange(1, count + 1, dtype=np.int32)),
            "line": lines,
            "pre_reason": reasons,
        }
    )


def _jsonl_table_line_by_line(file_id: int, data: bytes | bytearray, limit: int) -> pa.Table:
    """Slow path for a file with bytes that are not UTF-8: only those lines are quarantined."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    lines: list[str] = []
    reasons: list[str | None] = []
    for piece in pieces:
        if len(piece) > limit:
            lines.append(_prefix(piece))
            reasons.append(LINE_TOO_LONG)
            continue
        try:
            lines.append(piece.decode("utf-8"))
            reasons.append(None)
        except UnicodeDecodeError:
            lines.append(piece.decode("utf-8", errors="replace"))
            reasons.append(INVALID_UTF8)
    count = len(lines)
    return pa.table(
        {
            "file_id": pa.array(np.full(count, file_id, dtype=np.int32)),
            "line_number": pa.array(np.arange(1, count + 1, dtype=np.int32)),
            "line": pa.array(lines, pa.large_string()),
            "pre_reason": pa.array(reasons, pa.string()),
        }
    )


def _header_index(header: list[str], source: str) -> int | None:
    names = [name.strip() for name in header]
    if source in names:
        return names.index(source)
    folded = [name.casefold() for name in names]
    return folded.index(source.casefold()) if source.casefold() in folded else None


def _records(text: str) -> Iterator[tuple[list[str] | None, str]]:
    """Every non-blank CSV record as ``(fields, "")``, and ``(None, line)`` for a bad line.

    Quoting is strict: a quoted value may hold delimiters and line breaks, but it must be
    closed by a quote followed by a delimiter or a line end. When it is not (an unterminated
    ``"abc``, ``"5" monitor"``, a value past the csv module's field size limit), only the line
    where the record began is bad and reading resumes on the next line, so a stray quote
    never swallows the rows after it. A quote inside an unquoted value (``5" monitor``) is a
    plain character.
    """
    # Physical lines split at CR, LF or CRLF, as the csv module splits them.
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, strict=True)
    offset = 0  # index in ``lines`` of the reader's first line: line_num counts from there
    while True:
        start = offset + reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None, lines[start].rstrip("\r\n")
            # Resume on the next line: a new list iterator moved there in O(1) (one that ran
            # out cannot be moved back), under a new reader.
            offset = start + 1
            position = iter(lines)
            position.__setstate__(offset)
            reader = csv.reader(position, strict=True)
            continue
        if row and (len(row) > 1 or row[0].strip()):
            yield row, ""  # else a blank line: not a record


def _decode_csv(data: bytes, fallback_encoding: str) -> tuple[str, bool]:
    """The file's text and whether it holds bytes neither UTF-8 nor the fallback decodes
    (kept as surrogates, so each row with one is quarantined alone). A file is UTF-8 when
    it decodes as such; only a file that does not is read in the fallback, whole."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        pass
    if fallback_encoding:
        try:
            return data.decode(fallback_encoding), False
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8-sig", errors="surrogateescape"), True


def csv_table(file_id: int, data: bytes, spec: EntitySpec, fallback_encoding: str = "") -> pa.Table:
    """One row per CSV record: ``file_id, line_number, record, pre_reason, src_<column>...``.

    ``line_number`` counts records (1 = the first record after the header); a record is one
    physical line unless a quoted value spans lines (see ``_records``). Extra columns are
    ignored; a contract column missing from the header quarantines every row of the file; a
    first line holding none of the contract columns is no header at all, so it and every
    other line are quarantined as ``missing_header``.
    """
    text, has_bad_bytes = _decode_csv(data, fallback_encoding)
    records = _records(text)
    first = next(records, None)
    header = first[0] if first is not None and first[0] is not None else []
    indexes = [_header_index(header, field.source) for field in spec.fields]
    missing = [f.source for f, index in zip(spec.fields, indexes, strict=True) if index is None]
    file_reason = f"missing_column:{missing[0]}" if missing else None
    if first is not None and len(missing) == len(spec.fields):
        # The first line is data (or garbage), not a header: it is a record too.
        file_reason = MISSING_HEADER
        records = itertools.chain([first], records)
    width = len(header)
    # A row must reach every contract column; shorter rows (a missing trailing extra column)
    # are fine, and values beyond the header may only be the empties of a trailing delimiter.
    needed = max((index + 1 for index in indexes if index is not None), default=0)

    rows: list[list[str] | None] = []
    texts: list[str | None] = []
    reasons: list[str | None] = []

    def reject(reason: str, record: str) -> None:
        rows.append(None)
        # Bytes that were not UTF-8 are kept readable (U+FFFD) in the quarantined record.
        texts.append(_SURROGATE.sub("\ufffd", record) if has_bad_bytes else record)
        reasons.append(reason)

    for row, line in records:
        if row is None:
            reject(MALFORMED_ROW, line)
        elif file_reason == MISSING_HEADER:
            reject(MISSING_HEADER, json.dumps(row, ensure_ascii=False))
        elif len(row) < needed or any(row[width:]):
            reject("column_count_mismatch", json.dumps(row, ensure_ascii=False))
        elif has_bad_bytes and any(_SURROGATE.search(value) for value in row):
            reject(INVALID_UTF8, json.dumps(row, ensure_ascii=False))
        else:
            rows.append(row)
            texts.append(None)
            reasons.append(file_reason)

    count = len(rows)
    columns: dict[str, pa.Array] = {
        "file_id": pa.array(np.full(count, file_id, dtype=np.int32)),
        "line_number": pa.array(np.arange(1, count + 1, dtype=np.int32)),
        "record": pa.array(texts, pa.string()),
        "pre_reason": pa.array(reasons, pa.string()),
    }
    for field, index in zip(spec.fields, indexes, strict=True):
        values = [None if row is None or index is None else row[index] for row in rows]
        columns[f"src_{field.column}"] = pa.array(values, pa.string())
    return pa.table(columns)

"""Loading the files of one entity into its raw table, batch by batch, one transaction each.

A file whose path and sha256 are already in ``raw.load_audit`` is skipped. Any other file
replaces what its path loaded before (rows, quarantine rows, audit row) inside the same
transaction that inserts its new rows, so a crash never leaves half a file behind. A batch that
fails in SQL is retried file by file; a file that still fails, or cannot be read at all, is
kept as one quarantine row so the rest of the landing zone still loads.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from uptake.extract.landing import LandingFile
from uptake.extract.load_summary import EntityLoad
from uptake.extract.readers import (
    FILE_TOO_LARGE,
    FileTooLargeError,
    ReadLimits,
    UnreadableFileError,
    content_hash,
    csv_table,
    decompress,
    jsonl_table,
)
from uptake.extract.schema import LOAD_AUDIT_COLUMNS, METADATA_COLUMNS
from uptake.extract.specs import EntitySpec
from uptake.extract.sql import batch_rows_sql

log = logging.getLogger(__name__)

# Bounds on what one transaction holds in memory (decompressed bytes) and touches (files).
# Each batch costs a fixed share of DuckDB work (row groups started, compression analysed):
# 128 MB took about 10% less CPU than 64 MB on a million events.
BATCH_BYTES = 128 * 1024 * 1024
BATCH_FILES = 256
# Changed files inflated and split ahead by worker threads, also while DuckDB writes a batch
# (ISA-L, numpy and Arrow release the GIL). Memory: one batch plus this many files.
READ_AHEAD = 2
UNREADABLE_HASH = "unreadable"
_READ_STEP = 16 * 1024 * 1024
NO_DATA_ROWS = "no_data_rows"
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "BIGINT": pa.int64(),
    "TIMESTAMP": pa.timestamp("us"),
}
AUDIT_SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in LOAD_AUDIT_COLUMNS])


@dataclass
class LoadContext:
    con: duckdb.DuckDBPyConnection
    load_id: str
    loaded_at: datetime
    known_hashes: dict[str, str]  # file_path -> content_hash of what raw holds now
    limits: ReadLimits = field(default_factory=ReadLimits)


@dataclass
class PreparedFile:
    """A changed file, read and turned into rows (``table``) or judged unloadable."""

    file: LandingFile
    content_hash: str
    size: int
    table: pa.Table | None = None
    problem: str | None = None
    detail: str | None = None
    data: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AuditRow:
    """One row of raw.load_audit (rows_quarantined and rows_duplicate are derived)."""

    load_id: str
    source: str
    entity: str
    file_path: str
    delivery_date: date | None
    content_hash: str
    rows_in: int
    rows_loaded: int
    loaded_at: datetime

    def as_dict(self) -> dict[str, object]:
        row = asdict(self)
        row["rows_quarantined"] = self.rows_in - self.rows_loaded
        row["rows_duplicate"] = 0  # counted over the whole table by refresh_duplicates
        return row


@dataclass
class _Batch:
    files: list[PreparedFile] = field(default_factory=list)
    size: int = 0


def _read(file: LandingFile, limits: ReadLimits) -> PreparedFile:
    """Read and hash a file; parsing waits until we know it changed.

    A file bigger on disk than the size limit is only streamed through the hash (its
    content is never held), so the ledger still knows it and a rerun skips it.
    """
    limit = limits.max_file_bytes
    try:
        with file.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                return _too_large(file, handle, limits)
            data = handle.read(size)
            if extra := handle.read(1):  # the file grew after fstat: read what it holds now
                data += extra + handle.read(limit - len(data))
                if len(data) > limit or handle.read(1):
                    return _too_large(file, handle, limits)
    except OSError as exc:
        return PreparedFile(file, UNREADABLE_HASH, 0, problem="unreadable_file", detail=str(exc))
    prepared = PreparedFile(file, content_hash(data), len(data), problem=file.problem)
    prepared.data = data
    return prepared


def _too_large(file: LandingFile, handle: BinaryIO, limits: ReadLimits) -> PreparedFile:
    """Hash the whole file in steps (never held) and judge it too large to load."""
    handle.seek(0)
    hasher, size = hashlib.sha256(), 0
    while chunk := handle.read(_READ_STEP):
        hasher.update(chunk)
        size += len(chunk)
    problem = file.problem or FILE_TOO_LARGE
    detail = None if file.problem else str(FileTooLargeError(limits.max_file_bytes))
    return PreparedFile(file, hasher.hexdigest(), size, problem=problem, detail=detail)


def _parse(prepared: PreparedFile, file_id: int, limits: ReadLimits | None = None) -> None:
    limits = limits or ReadLimits()
    data, prepared.data = prepared.data, None
    if prepared.problem is not None or data is None:
        return
    spec = prepared.file.spec
    try:
        text = decompress(data, prepared.file.path.name, limits.max_file_bytes)
        del data
        if spec.file_format == "jsonl":
            prepared.table = jsonl_table(file_id, text, limits.max_line_bytes)
        else:
            prepared.table = csv_table(
                file_id, bytes(text), spec, limits.csv_fallback_encoding
            )  # bytes: no copy unless gzipped
        prepared.size = len(text)
    except FileTooLargeError as exc:
        prepared.problem, prepared.detail = FILE_TOO_LARGE, str(exc)
    except (UnreadableFileError, csv.Error, ValueError) as exc:
        prepared.problem, prepared.detail = "unreadable_file", str(exc)


def _parsed(prepared: PreparedFile, limits: ReadLimits) -> PreparedFile:
    _parse(prepared, 0, limits)  # the batch numbers its files when it is written
    return prepared


def _changed_files(
    ctx: LoadContext, files: list[LandingFile], load: EntityLoad
) -> Iterator[PreparedFile]:
    """Files raw does not hold yet, in order, parsed by worker threads READ_AHEAD ahead.

    Reading and hashing stay here: an unchanged file (most of them on a rerun) costs one
    read and one sha256, no hand-over to a thread.
    """
    with ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="extract-parse") as pool:
        window: deque[Future[PreparedFile]] = deque()
        for file in files:
            prepared = _read(file, ctx.limits)
            if ctx.known_hashes.get(file.relative_path) == prepared.content_hash:
                load.files_skipped_unchanged += 1
                continue
            if len(window) == READ_AHEAD:
                yield window.popleft().result()
            window.append(pool.submit(_parsed, prepared, ctx.limits))
        while window:
            yield window.popleft().result()


def _with_file_id(table: pa.Table, file_id: int) -> pa.Table:
    ids = pa.array(np.full(table.num_rows, file_id, dtype=np.int32))
    return table.set_column(0, "file_id", ids)


def _delete_previous(con: duckdb.DuckDBPyConnection, spec: EntitySpec, paths: list[str]) -> None:
    con.execute(
        f"DELETE FROM {spec.qualified_table} WHERE _source_file IN (SELECT unnest($1))", [paths]
    )
    con.execute("DELETE FROM raw.quarantine WHERE file_path IN (SELECT unnest($1))", [paths])
    con.execute("DELETE FROM raw.load_audit WHERE file_path IN (SELECT unnest($1))", [paths])


def _insert_parsed(ctx: LoadContext, spec: EntitySpec) -> dict[int, tuple[int, int]]:
    """Type ``batch_lines``, insert good rows and quarantine the rest; counts per file_id."""
    con = ctx.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE batch_rows AS {batch_rows_sql(spec, 'batch_lines')}")
    data_columns = [f'"{name}"' for name, _ in spec.columns]
    target = ", ".join(data_columns + [name for name, _ in METADATA_COLUMNS])
    values = ", ".join(f"r.{name}" for name in data_columns)
    con.execute(
        f"""
        INSERT INTO {spec.qualified_table} ({target})
        SELECT {values}, b.file_path, b.delivery_date, r.line_number, $1
        FROM batch_rows AS r JOIN batch_files AS b USING (file_id)
        WHERE r.reason IS NULL""",  # no ORDER BY: it cost a quarter of the insert
        [ctx.loaded_at],
    )
    con.execute(
        """
        INSERT INTO raw.quarantine
        SELECT $1, $2, b.file_path, r.line_number, r.reason, r.record, $3
        FROM batch_rows AS r JOIN batch_files AS b USING (file_id)
        WHERE r.reason IS NOT NULL
        ORDER BY r.file_id, r.line_number""",
        [spec.source, spec.entity, ctx.loaded_at],
    )
    counts = con.execute(
        """
        SELECT file_id, count(*), count(*) FILTER (WHERE reason IS NULL)
        FROM batch_rows GROUP BY file_id"""
    ).fetchall()
    con.execute("DROP TABLE batch_rows")
    return {file_id: (rows_in, loaded) for file_id, rows_in, loaded in counts}


def _write_batch(ctx: LoadContext, spec: EntitySpec, batch: list[PreparedFile]) -> list[AuditRow]:
    """One transaction: replace the batch's files in raw; returns their audit rows."""
    con = ctx.con
    paths = [p.file.relative_path for p in batch]
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = [path for path in paths if path in ctx.known_hashes]
        if replaced:
            _delete_previous(con, spec, replaced)
        batch_files = pa.table(
            {
                "file_id": pa.array(range(len(batch)), pa.int32()),
                "file_path": pa.array(paths, pa.string()),
                "delivery_date": pa.array([p.file.delivery_date for p in batch], pa.date32()),
            }
        )
        con.register("batch_files", batch_files)
        counts: dict[int, tuple[int, int]] = {}
        tables = [_with_file_id(p.table, i) for i, p in enumerate(batch) if p.table is not None]
        if tables:
            con.register("batch_lines", pa.concat_tables(tables))
            counts = _insert_parsed(ctx, spec)
        problems = [(i, p.problem, p.detail) for i, p in enumerate(batch) if p.problem is not None]
        # A file read without a single record (a header-only CSV, blank lines) must not vanish.
        problems += [
            (i, NO_DATA_ROWS, "the file holds no record")
            for i, p in enumerate(batch)
            if p.problem is None and p.table is not None and i not in counts
        ]
        if problems:
            con.executemany(
                "INSERT INTO raw.quarantine VALUES (?, ?, ?, NULL, ?, ?, ?)",
                [
                    (
                        spec.source,
                        spec.entity,
                        batch[i].file.relative_path,
                        problem,
                        detail,
                        ctx.loaded_at,
                    )
                    for i, problem, detail in problems
                ],
            )
            counts.update({i: (1, 0) for i, _, _ in problems})
        audit = [
            AuditRow(ctx.load_id, spec.source, spec.entity, p.file.relative_path,
                     p.file.delivery_date, p.content_hash, *counts.get(i, (0, 0)),
                     loaded_at=ctx.loaded_at)
            for i, p in enumerate(batch)
        ]  # fmt: skip
        audit_table = pa.Table.from_pylist([row.as_dict() for row in audit], AUDIT_SCHEMA)
        con.register("batch_audit", audit_table)
        con.execute("INSERT INTO raw.load_audit SELECT * FROM batch_audit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("batch_files", "batch_lines", "batch_audit"):
            con.unregister(name)
    for p in batch:
        ctx.known_hashes[p.file.relative_path] = p.content_hash
    return audit


def _write(ctx: LoadContext, spec: EntitySpec, batch: list[PreparedFile]) -> list[AuditRow]:
    """Write a batch; when SQL rejects it, isolate the file at fault instead of failing."""
    try:
        return _write_batch(ctx, spec, batch)
    except duckdb.Error as exc:
        if len(batch) == 1:
            log.error("could not load %s: %s", batch[0].file.relative_path, exc)
            only = batch[0]
            failed = PreparedFile(
                only.file, only.content_hash, only.size, problem="load_error", detail=str(exc)
            )
            return _write_batch(ctx, spec, [failed])
        log.warning("batch of %d %s files failed (%s); retrying one by one", len(batch),
                    spec.entity, exc)  # fmt: skip
        audit: list[AuditRow] = []
        for p in batch:
            audit += _write(ctx, spec, [p])
        return audit


def _batches(ctx: LoadContext, files: list[LandingFile], load: EntityLoad) -> Iterator[_Batch]:
    batch = _Batch()
    for prepared in _changed_files(ctx, files, load):
        batch.files.append(prepared)
        batch.size += prepared.size
        if batch.size >= BATCH_BYTES or len(batch.files) >= BATCH_FILES:
            yield batch
            batch = _Batch()
    if batch.files:
        yield batch


def load_entity(
    ctx: LoadContext, spec: EntitySpec, files: list[LandingFile], load: EntityLoad
) -> None:
    """Load ``files`` (all of ``spec``) and add what happened to ``load``."""
    load.files_seen += len(files)
    for batch in _batches(ctx, files, load):
        paths = (p.file.relative_path for p in batch.files)
        load.files_replaced += sum(path in ctx.known_hashes for path in paths)
        for row in _write(ctx, spec, batch.files):
            load.files_loaded += 1
            load.rows_in += row.rows_in
            load.rows_loaded += row.rows_loaded
            load.rows_quarantined += row.rows_in - row.rows_loaded


def refresh_duplicates(con: duckdb.DuckDBPyConnection, spec: EntitySpec) -> None:
    """Recount ``rows_duplicate`` in the audit rows of ``spec``'s files.

    A row is a duplicate when an earlier row has its natural key, rows ordered by file path
    and line. Paths start with ``<source>/dt=YYYY-MM-DD/``, so path order is delivery order
    and the first row of a key lives in the smallest path holding it. Counting over
    everything loaded (not only this run's files) keeps
    ``distinct keys = sum(rows_loaded) - sum(rows_duplicate)`` true after re-deliveries
    and late files.
    """
    key = ", ".join(f'"{column}"' for column in spec.natural_key)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE first_rows AS
            SELECT first_file AS file_path, count(*) AS first_keys
            FROM (SELECT min(_source_file) AS first_file FROM {spec.qualified_table} GROUP BY {key})
            GROUP BY first_file"""
        )
        con.execute(
            """
            UPDATE raw.load_audit AS a
            SET rows_duplicate = a.rows_loaded - coalesce(
                (SELECT f.first_keys FROM first_rows AS f WHERE f.file_path = a.file_path), 0)
            WHERE a.source = $1 AND a.entity = $2""",
            [spec.source, spec.entity],
        )
        con.execute("DROP TABLE first_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise

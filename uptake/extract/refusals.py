"""Recording the paths discovery refused: one file-level quarantine row and one audit row each.

A refused path is never read. Its identity in ``raw.load_audit`` is its path plus
``refused:<reason>`` in place of a content hash, so a rerun skips it while it is refused for
the same reason, and the day it becomes loadable (a future delivery date is reached, an empty
file gets content) its real hash differs and the loader replaces the refusal with its rows.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from uptake.extract.landing import RefusedPath
from uptake.extract.load_summary import EntityLoad
from uptake.extract.loader import LoadContext
from uptake.extract.specs import ENTITIES

REFUSED_HASH_PREFIX = "refused:"


def refused_hash(reason: str) -> str:
    return REFUSED_HASH_PREFIX + reason


def delete_rows_of(con: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    """Delete what ``paths`` loaded before: raw rows (whatever entity), quarantine, audit."""
    loaded_as = set(
        con.execute(
            "SELECT DISTINCT source, entity FROM raw.load_audit "
            "WHERE file_path IN (SELECT unnest($1))",
            [paths],
        ).fetchall()
    )
    for spec in ENTITIES:
        if (spec.source, spec.entity) in loaded_as:
            con.execute(
                f"DELETE FROM {spec.qualified_table} WHERE _source_file IN (SELECT unnest($1))",
                [paths],
            )
    con.execute("DELETE FROM raw.quarantine WHERE file_path IN (SELECT unnest($1))", [paths])
    con.execute("DELETE FROM raw.load_audit WHERE file_path IN (SELECT unnest($1))", [paths])


def _rows(ctx: LoadContext, todo: list[RefusedPath], at: datetime) -> tuple[list, list]:
    quarantine = [(r.source, r.entity, r.relative_path, None, r.reason, r.detail, at) for r in todo]
    audit = [
        (ctx.load_id, r.source, r.entity, r.relative_path, r.delivery_date,
         refused_hash(r.reason), 1, 0, 1, 0, at)
        for r in todo
    ]  # fmt: skip
    return quarantine, audit


def write_refusals(ctx: LoadContext, refused: list[RefusedPath], load: EntityLoad) -> None:
    """Quarantine every path of ``refused`` not already refused for the same reason."""
    load.files_seen += len(refused)
    todo = [r for r in refused if ctx.known_hashes.get(r.relative_path) != refused_hash(r.reason)]
    load.files_skipped_unchanged += len(refused) - len(todo)
    if not todo:
        return
    replaced = [r.relative_path for r in todo if r.relative_path in ctx.known_hashes]
    quarantine, audit = _rows(ctx, todo, ctx.loaded_at)
    con = ctx.con
    con.execute("BEGIN TRANSACTION")
    try:
        if replaced:
            delete_rows_of(con, replaced)
        con.executemany("INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?, ?)", quarantine)
        con.executemany(
            "INSERT INTO raw.load_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", audit
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for r in todo:
        ctx.known_hashes[r.relative_path] = refused_hash(r.reason)
    load.files_refused += len(todo)
    load.files_replaced += len(replaced)
    load.rows_in += len(todo)
    load.rows_quarantined += len(todo)

"""``extract_all``: the landing zone into the `raw` schema, idempotently."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from uptake.extract.landing import check_landing_zone
from uptake.extract.load_summary import LoadSummary
from uptake.extract.loader import LoadContext, load_entity, refresh_duplicates
from uptake.extract.pull import discover_sources, pull_sources
from uptake.extract.raw_to_postgres import copy_raw_to_postgres
from uptake.extract.readers import ReadLimits
from uptake.extract.refusals import write_refusals
from uptake.extract.schema import ensure_raw_schema
from uptake.extract.specs import ENTITIES
from uptake.settings import Settings
from uptake.warehouse import connect

log = logging.getLogger(__name__)


def extract_all(
    settings: Settings, as_of: date | None = None, today: date | None = None
) -> LoadSummary:
    """Load every new or changed file of ``settings.landing_dir`` into ``raw.*``.

    Sources configured to be pulled (docs/sources.md) first deliver their ``dt=<as_of>``
    folder (``as_of`` defaults to ``settings.as_of_date``, else today in UTC) and are then read
    from ``settings.pulled_dir`` instead of the landing zone.

    Raises :class:`~uptake.extract.landing.LandingZoneError` when the landing zone is
    missing or has no ``catalog/features.csv``, and :class:`~uptake.extract.pull.PullError`
    when a pull fails (nothing is loaded then). Bad rows never raise: they are quarantined.
    ``today`` (default: the machine's date) decides which ``dt=`` folders are in the future.
    """
    landing_dir = settings.landing_dir
    check_landing_zone(landing_dir)
    pulled = pull_sources(settings, as_of or settings.as_of_date or datetime.now(UTC).date())
    found = discover_sources(settings, today)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    summary = LoadSummary(load_id=uuid.uuid4().hex, loaded_at=loaded_at)
    summary.ignored_paths = found.ignored + found.superseded
    summary.future_deliveries = list(found.future_deliveries)
    summary.pulls = pulled.as_rows()
    for path in found.ignored:
        log.warning("quarantining %s: not part of the landing-zone contract", path)
    for folder in found.future_deliveries:
        log.warning("not loading %s: its delivery date is after today", folder)
    with connect(settings.warehouse_path) as con:
        # Naive timestamps and offset-less strings mean UTC, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        # One checkpoint when the connection closes instead of one per batch (DuckDB checkpoints
        # whenever its log passes 16 MB): about 10% less CPU on a large first load.
        con.execute("SET checkpoint_threshold = '1GB'")
        ensure_raw_schema(con)
        known = dict(con.execute("SELECT file_path, content_hash FROM raw.load_audit").fetchall())
        limits = ReadLimits(
            settings.max_line_bytes, settings.max_file_bytes, settings.csv_fallback_encoding
        )
        ctx = LoadContext(con, summary.load_id, loaded_at, known, limits)
        for spec in ENTITIES:
            load = summary.entity(spec.source, spec.entity)
            load_entity(ctx, spec, [f for f in found.files if f.spec is spec], load)
            write_refusals(ctx, [r for r in found.refused if r.spec is spec], load)
            if load.files_loaded or load.files_replaced:
                refresh_duplicates(con, spec)
                load.rows_duplicate = con.execute(
                    "SELECT coalesce(sum(rows_duplicate), 0) FROM raw.load_audit "
                    "WHERE load_id = $1 AND source = $2 AND entity = $3",
                    [summary.load_id, spec.source, spec.entity],
                ).fetchone()[0]
            if load.files_seen:
                log.info("%s", load)
        # Paths of no entity, per source folder: counted under (source, "unknown").
        for key in dict.fromkeys((r.source, r.entity) for r in found.refused if r.spec is None):
            group = [r for r in found.refused if r.spec is None and (r.source, r.entity) == key]
            write_refusals(ctx, group, summary.entity(*key))
        con.execute("RESET checkpoint_threshold")
    if settings.warehouse_on_postgres:
        copy = copy_raw_to_postgres(
            settings.warehouse_path, settings.pg_dsn, settings.warehouse_path.parent
        )
        summary.raw_copy = copy.as_dict()
    log.info("%s", summary)
    return summary

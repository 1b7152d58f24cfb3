"""Which system each landing-zone source comes from, and ``pull_sources`` for the pulled ones.

Files stay the default. A source configured to be pulled (``UPTAKE_CRM_SOURCE``,
``UPTAKE_SUPPORT_SOURCE``) is delivered by Uptake itself into a landing-zone-shaped folder,
``Settings.pulled_dir``, and the file loader reads that source from there (and no longer from
the landing zone), with the same quarantine, audit, idempotency and duplicate counting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from uptake.extract.landing import Discovery, discover
from uptake.extract.pull.crm_postgres import is_postgres_url, pull_crm
from uptake.extract.pull.pull_summary import PullError, PullSummary, SourcePull
from uptake.extract.pull.zendesk import is_http_url, pull_support
from uptake.extract.specs import SOURCES
from uptake.settings import Settings

log = logging.getLogger(__name__)

FILES = "files"  # an explicit value meaning "the landing zone", same as unset


def _configured(value: str) -> bool:
    return bool(value) and value.lower() != FILES


def pulled_sources(settings: Settings) -> dict[str, str]:
    """Source -> system ("postgresql", "zendesk") for every source configured to be pulled.

    Raises PullError for a value that names no supported system (only its scheme is shown:
    the value may hold a password).
    """
    systems: dict[str, str] = {}
    if _configured(settings.crm_source):
        if not is_postgres_url(settings.crm_source):
            scheme = urlsplit(settings.crm_source).scheme or "no scheme"
            raise PullError(
                f"crm: UPTAKE_CRM_SOURCE must be a postgresql:// URL or unset ({scheme} given)"
            )
        systems["crm"] = "postgresql"
    if _configured(settings.support_source):
        url = settings.support_source
        if not is_http_url(url):
            raise PullError("support: UPTAKE_SUPPORT_SOURCE must be an http(s):// URL or unset")
        if urlsplit(url).username or urlsplit(url).password:
            raise PullError(
                "support: UPTAKE_SUPPORT_SOURCE must not carry credentials: "
                "use UPTAKE_SUPPORT_EMAIL and UPTAKE_SUPPORT_TOKEN"
            )
        systems["support"] = "zendesk"
    return systems


def source_roots(settings: Settings) -> dict[str, Path]:
    """Each landing-zone source -> the root folder its ``<source>/dt=*/`` files are read from."""
    pulled = pulled_sources(settings)
    return {
        source: settings.pulled_dir if source in pulled else settings.landing_dir
        for source in SOURCES
    }


def pull_sources(
    settings: Settings, as_of: date, *, sleep: Callable[[float], None] = time.sleep
) -> PullSummary:
    """Deliver every pulled source's ``dt=<as_of>`` folder under ``settings.pulled_dir``.

    Call before discovering files. With no pulled source configured it does nothing. Each
    source is pulled on its own: one failing does not stop the other, but once both were
    tried a :class:`PullError` names every failure. A failed source wrote no file and kept its
    state, so rerunning the day retries exactly what failed.
    """
    summary = PullSummary(as_of)
    root = settings.pulled_dir
    failures: list[str] = []
    for source in pulled_sources(settings):
        try:
            if source == "crm":
                pull: SourcePull = pull_crm(settings, as_of, root)
            else:
                pull = pull_support(settings, as_of, root, sleep=sleep)
        except PullError as exc:
            log.error("pull failed: %s", exc)
            failures.append(str(exc))
            continue
        except OSError as exc:  # the delivery or the state could not be written
            log.error("pull failed: %s: %s", source, exc)
            failures.append(f"{source}: writing the delivery or its state failed: {exc}")
            continue
        summary.sources.append(pull)
    if failures:
        raise PullError("; ".join(failures))
    if summary.sources:
        log.info("%s", summary)
    return summary


def discover_sources(settings: Settings, today: date | None = None) -> Discovery:
    """Every loadable file, each source read from its own root (landing zone or pulled folder).

    A pulled source's files left in the landing zone are not read (a warning counts them), and
    neither are its refusals there: that folder is not this source's delivery any more. File
    identities stay ``<source>/dt=.../<file>`` whatever the root, so the pulled snapshot of a
    day replaces a landed file of the same day and path (a re-delivery), and days landed
    before the switch keep their rows. Paths of no source are judged in the landing zone only.
    """
    roots = source_roots(settings)
    found = Discovery()
    not_read: dict[str, int] = {}
    for root in dict.fromkeys(roots.values()):
        if root != settings.landing_dir and not root.is_dir():
            continue  # nothing pulled yet

        def read_here(source: str, root: Path = root) -> bool:
            return roots.get(source, settings.landing_dir) == root

        part = discover(root, today)
        for landing_file in part.files:
            source = landing_file.spec.source
            if read_here(source):
                found.files.append(landing_file)
            else:
                found.superseded.append(landing_file.relative_path)
                not_read[source] = not_read.get(source, 0) + 1
        found.refused.extend(r for r in part.refused if read_here(r.source))
        found.future_deliveries.extend(
            folder for folder in part.future_deliveries if read_here(folder.split("/", 1)[0])
        )
    for source, count in not_read.items():
        log.warning(
            "%s is pulled into %s: %d file(s) under the landing zone's %s/ are not read",
            source,
            roots[source],
            count,
            source,
        )
    return found

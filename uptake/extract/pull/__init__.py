"""Pulled sources: CRM tables from PostgreSQL, Zendesk from its incremental export API.

A pulled source delivers into a landing-zone-shaped folder (``Settings.pulled_dir``) the files
the contract names, so the ordinary file loader loads them. See docs/sources.md.
"""

from uptake.extract.pull.pull_summary import PullError, PullSummary, SourcePull
from uptake.extract.pull.sources import (
    discover_sources,
    pull_sources,
    pulled_sources,
    source_roots,
)

__all__ = [
    "PullError",
    "PullSummary",
    "SourcePull",
    "discover_sources",
    "pull_sources",
    "pulled_sources",
    "source_roots",
]

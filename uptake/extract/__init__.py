"""Extract/load: the landing zone (docs/contract.md section 1) into the `raw` schema.

Idempotent by file path and content hash; bad rows go to ``raw.quarantine`` with a reason and
``raw.load_audit`` keeps one row per loaded file. See docs/extract.md.
"""

from uptake.extract.extract import extract_all
from uptake.extract.landing import LandingZoneError, latest_delivery_date
from uptake.extract.load_summary import EntityLoad, LoadSummary

__all__ = ["EntityLoad", "LandingZoneError", "LoadSummary", "extract_all", "latest_delivery_date"]

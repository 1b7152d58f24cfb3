"""The CSM's desk: the static HTML report, weekly digests, webhook alerts and the CRM export.

Entry point: :func:`publish_reports` (after scoring). See docs/delivery.md.
"""

from uptake.delivery.publish import DeliverySummary, publish_reports

__all__ = ["DeliverySummary", "publish_reports"]

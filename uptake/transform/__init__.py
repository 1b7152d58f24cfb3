"""dbt transform step: raw.* -> staging -> intermediate -> marts.* through dbtRunner, with
source freshness checked first and the docs site on demand."""

from uptake.transform.dbt_runner import (
    ML_SOURCE_CONSUMERS,
    DbtBuildError,
    DbtBuildResult,
    NodeFailure,
    run_dbt_build,
)
from uptake.transform.freshness import (
    FreshnessResult,
    SourceFreshness,
    SourceFreshnessError,
    run_source_freshness,
)

__all__ = [
    "ML_SOURCE_CONSUMERS",
    "DbtBuildError",
    "DbtBuildResult",
    "FreshnessResult",
    "NodeFailure",
    "SourceFreshness",
    "SourceFreshnessError",
    "run_dbt_build",
    "run_source_freshness",
]

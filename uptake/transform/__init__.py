"""dbt transform step: raw.* -> staging -> intermediate -> marts.* through dbtRunner."""

from uptake.transform.dbt_runner import (
    ML_SOURCE_CONSUMERS,
    DbtBuildError,
    DbtBuildResult,
    NodeFailure,
    run_dbt_build,
)

__all__ = ["ML_SOURCE_CONSUMERS", "DbtBuildError", "DbtBuildResult", "NodeFailure", "run_dbt_build"]

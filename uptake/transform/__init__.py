"""dbt transform step: raw.* -> staging -> intermediate -> marts.* through dbtRunner."""

from uptake.transform.dbt_runner import DbtBuildError, DbtBuildResult, NodeFailure, run_dbt_build

__all__ = ["DbtBuildError", "DbtBuildResult", "NodeFailure", "run_dbt_build"]

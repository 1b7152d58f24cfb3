"""Data-quality gate over the marts (Great Expectations 1.x, suites in ``expectations/``).

Importing this package is cheap: Great Expectations is imported only when the gate runs.
"""

from uptake.quality.gate import CHECKPOINT_NAME, run_quality_gate
from uptake.quality.gate_results import (
    FAIL,
    WARN,
    FailedExpectation,
    GateResult,
    QualityGateFailed,
    TableResult,
)

__all__ = [
    "CHECKPOINT_NAME",
    "FAIL",
    "WARN",
    "FailedExpectation",
    "GateResult",
    "QualityGateFailed",
    "TableResult",
    "run_quality_gate",
]

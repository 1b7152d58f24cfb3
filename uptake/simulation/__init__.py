"""Source simulator: a B2B SaaS company's landing zone with planted ground truth.

``simulate(out_dir, accounts, months, seed, difficulty)`` writes the landing-zone files of
docs/contract.md (section 1) and ``_truth/``; see docs/simulator.md for the mechanisms and rates.
"""

from uptake.simulation.parameters import PRESETS, SIGNAL_RATES
from uptake.simulation.simulator import SimulationSummary, simulate

__all__ = ["PRESETS", "SIGNAL_RATES", "SimulationSummary", "simulate"]

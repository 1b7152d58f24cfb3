"""Scoring tests reuse the mart fixtures of tests/ml (one synthetic warehouse generator)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ml"))

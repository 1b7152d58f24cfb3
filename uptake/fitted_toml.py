"""Text of the fitted-model TOML files shipped in ``ml/`` (the root-cause model, the churn prior).

Both are written by a fitting script and reviewed like code: a comment saying what wrote them,
the version, the provenance, then their numbers at six significant digits.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np


def read_fitted_toml(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The parsed file; ``error`` naming the path when it is missing or not valid TOML."""
    if not path.exists():
        raise error(f"no {what} at {path}")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as invalid:
        raise error(f"{path.name}: not valid TOML ({invalid})") from None


def toml_numbers(values: np.ndarray, digits: int = 6) -> str:
    return "[" + ", ".join(f"{value:.{digits}g}" for value in values) + "]"


def toml_header(comment: Iterable[str], version: str, provenance: dict[str, str]) -> list[str]:
    """The file's opening lines: ``comment`` as ``#`` lines, ``version`` and ``[provenance]``."""
    return [
        *(f"# {line}" for line in comment),
        f'version = "{version}"',
        "",
        "[provenance]",
        *(f'{key} = "{value}"' for key, value in provenance.items()),
        "",
    ]

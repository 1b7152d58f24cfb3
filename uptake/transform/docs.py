"""``uptake docs``: the dbt docs site of the warehouse, served on 127.0.0.1.

``dbt docs generate`` writes ``index.html``, ``manifest.json`` (models, sources, exposures,
column descriptions and contracts) and ``catalog.json`` (the warehouse's tables, column types
and row counts) to ``settings.dbt_docs_dir``, a target folder of its own so the build's
``run_results.json`` that ``uptake report`` reads is left alone. The server hands out only
those three files, on the loopback address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from uptake.settings import Settings
from uptake.transform.dbt_runner import dbt_args, warehouse_guard

__all__ = [
    "DOCS_FILES",
    "HOST",
    "DocsError",
    "DocsSite",
    "docs_args",
    "docs_server",
    "generate_docs",
]

HOST = "127.0.0.1"
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")


class DocsError(RuntimeError):
    """``dbt docs generate`` failed (no warehouse, a compile error, ...)."""


@dataclass(frozen=True)
class DocsSite:
    path: Path
    seconds: float


def docs_args(settings: Settings) -> list[str]:
    return dbt_args(
        settings, ["docs", "generate"], settings.as_of_date, target_path=settings.dbt_docs_dir
    )


def generate_docs(settings: Settings) -> DocsSite:
    """Run ``dbt docs generate`` against the configured warehouse; raise :class:`DocsError`."""
    from dbt.cli.main import dbtRunner  # heavy import: only when it runs

    if settings.dbt_target == "duckdb" and not settings.warehouse_path.exists():
        # dbt-duckdb would create an empty file there; the site needs a built warehouse.
        raise DocsError(f"no warehouse at {settings.warehouse_path}: run the pipeline first")
    settings.apply()
    settings.dbt_docs_dir.mkdir(parents=True, exist_ok=True)
    settings.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with warehouse_guard(settings):
        outcome = dbtRunner().invoke(docs_args(settings))
    if outcome.exception is not None or not outcome.success:
        raise DocsError(f"dbt docs generate failed: {outcome.exception or 'see the dbt log'}")
    missing = [name for name in DOCS_FILES if not (settings.dbt_docs_dir / name).is_file()]
    if missing:
        raise DocsError(f"dbt docs generate did not write {', '.join(missing)}")
    return DocsSite(settings.dbt_docs_dir, time.monotonic() - started)


class _DocsHandler(SimpleHTTPRequestHandler):
    """Serves the docs files only (the target folder also holds compiled SQL)."""

    def _docs_file(self) -> bool:
        name = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
        if name not in DOCS_FILES:
            self.send_error(404, "not part of the docs site")
            return False
        self.path = "/" + name
        return True

    def do_GET(self) -> None:
        if self._docs_file():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._docs_file():
            super().do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints the URL
        pass


def docs_server(docs_dir: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for ``docs_dir`` bound to 127.0.0.1 (port 0: any free port).

    The caller runs ``serve_forever()`` and ``shutdown()``/``server_close()`` it.
    """
    handler = partial(_DocsHandler, directory=str(docs_dir))
    return ThreadingHTTPServer((HOST, port), handler)

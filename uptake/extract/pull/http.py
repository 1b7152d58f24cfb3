"""JSON over HTTP with bounded retries, for API sources (standard library only).

Retried: 429 (after its ``Retry-After`` seconds), 5xx, connection errors, timeouts and
bodies that are not JSON (a cut-off response). Not retried: other 4xx (bad credentials, wrong
URL), which fail at once. Credentials go in a header and never into a message or a log line.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
RETRY_AFTER_CAP_SECONDS = 900.0  # never sleep longer than this on one Retry-After
TIMEOUT_SECONDS = 60.0


class HttpError(RuntimeError):
    """A request failed for good (not retryable, or retries exhausted)."""


@dataclass
class JsonClient:
    """GETs JSON from ``base_url`` paths; counts requests and retries for the pull summary."""

    base_url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # never shown in an error
    max_retries: int = 5
    sleep: Callable[[float], None] = time.sleep  # injectable: tests do not wait
    timeout: float = TIMEOUT_SECONDS
    requests: int = 0
    retries: int = 0

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)

    def _scrub(self, text: str) -> str:
        """``text`` (a server's error body) without any credential this client sends."""
        header_secrets = [value.split(" ", 1)[-1] for value in self.headers.values()]
        for secret in (*self.secrets, *header_secrets):
            if secret:
                text = text.replace(secret, "***")
        return text

    def get(self, path: str) -> dict[str, Any]:
        """The JSON object at ``base_url + path``; raises HttpError once retries run out."""
        url = self.base_url.rstrip("/") + path
        attempt = 0
        while True:
            self.requests += 1
            wait, problem = None, ""
            try:
                request = urllib.request.Request(url, headers={"Accept": "application/json"})
                for name, value in self.headers.items():
                    request.add_unredirected_header(name, value)  # not sent on to a redirect
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                payload = json.loads(body)
                if not isinstance(payload, dict):
                    raise HttpError(f"GET {url}: the response is not a JSON object")
                return payload
            except urllib.error.HTTPError as exc:
                problem = f"HTTP {exc.code} {exc.reason}"
                with exc:  # closes the connection
                    detail = self._scrub(exc.read(300).decode("utf-8", "replace").strip())
                if exc.code == 429:
                    wait = _retry_after(exc.headers.get("Retry-After"))
                elif exc.code < 500:
                    raise HttpError(f"GET {url}: {problem}: {detail}".rstrip(": ")) from exc
            except (urllib.error.URLError, HTTPException, OSError) as exc:
                problem = f"connection error: {getattr(exc, 'reason', exc)}"
            except json.JSONDecodeError as exc:
                problem = f"response is not JSON ({exc.msg})"
            if attempt >= self.max_retries:
                raise HttpError(f"GET {url}: {problem}; gave up after {attempt} retries")
            wait = self._backoff(attempt) if wait is None else wait
            attempt += 1
            self.retries += 1
            log.warning(
                "GET %s: %s; retry %d/%d in %.1fs", url, problem, attempt, self.max_retries, wait
            )
            self.sleep(wait)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header; None (use the backoff) if absent or a date."""
    try:
        return min(RETRY_AFTER_CAP_SECONDS, max(0.0, float(value))) if value else None
    except ValueError:
        return None

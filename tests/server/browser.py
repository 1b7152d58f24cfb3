"""Headless Debian chromium driven over the DevTools protocol (test helper).

``--dump-dom`` cannot log in: the Airflow UI needs its session cookie (``_token``, the JWT the
api-server issues) before the page loads. Over the DevTools protocol the test sets that cookie,
opens the page, waits until the single-page app rendered the expected text, and screenshots it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from websockets.sync.client import connect


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# What DevTools answers an evaluation sent while the page navigates (seen in CI of ae9319d:
# the Airflow UI redirected to its login form between the navigation and the first read).
_NAVIGATING = (
    "Inspected target navigated or closed",
    "Cannot find default execution context",
    "Execution context was destroyed",
)


class Page:
    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:  # events arrive between the answers; skip them
            message = json.loads(self._socket.recv(timeout=60))
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def set_cookie(self, url: str, name: str, value: str) -> None:
        self.call("Network.setCookie", url=url, name=name, value=value, httpOnly=True)

    def text(self) -> str:
        """The page's text, or "" while it is between two documents (a redirect to the login
        page, a reload): DevTools refuses an evaluation then, and the caller reads again."""
        try:
            result = self.call("Runtime.evaluate", expression="document.body.innerText")
        except RuntimeError as error:
            if any(state in str(error) for state in _NAVIGATING):
                return ""
            raise
        return str(result.get("result", {}).get("value") or "")

    def open(self, url: str, expect: list[str], timeout: float = 60.0) -> str:
        """Navigate and wait until every string of ``expect`` is on the page; the page text."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(word in text for word in expect):
                return text
            time.sleep(0.5)
        return text

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


@contextmanager
def headless_page(profile: Path, width: int = 1400, height: int = 900) -> Iterator[Page]:
    """A page of a fresh headless chromium (its own profile folder), closed afterwards."""
    binary = chromium()
    assert binary is not None
    profile.mkdir(parents=True, exist_ok=True)
    port_file = profile / "DevToolsActivePort"
    port_file.unlink(missing_ok=True)  # left by an earlier browser on this profile
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.loads(answer.read())
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_url, max_size=None, open_timeout=30) as socket:
            page = Page(socket)
            page.call("Page.enable")
            page.call("Network.enable")
            yield page
    finally:
        # chromium forks helpers (zygote, renderers): stop the whole group it leads.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

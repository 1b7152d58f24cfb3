"""A local Slack-like webhook for the tests: records every JSON body, answers from a script."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook:
    def __init__(self) -> None:
        self.received: list[dict] = []  # bodies answered 2xx
        self.requests = 0
        # Statuses to answer next, in order (then 200): (status, headers).
        self.script: list[tuple[int, dict[str, str]]] = []
        self.url = ""


@contextmanager
def webhook_server() -> Iterator[Hook]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            hook.requests += 1
            status, headers = hook.script.pop(0) if hook.script else (200, {})
            if status < 300:
                hook.received.append(body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"error")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/s3cr3t-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

"""A tiny TCO registry stand-in on 127.0.0.1 for tests of live crawling and recording.

It serves robots.txt, the Product Finder feed, the token exchange and the paged GTIN API from
the bundled recordings, and checks what a real registry would: the credentials and the token.
Faults are injected per path: `faults[path]` is a list of answers served first, in order, each
a dict with any of status, headers, body (bytes), sleep (seconds before answering) and
reset (close the connection without answering).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from conftest import SNAPSHOTS

USER, PASSWORD, TOKEN = "buyer@example.org", "pw-Secret-123", "tok-Secret-456"


class _Handler(BaseHTTPRequestHandler):
    requests_seen: list
    faults: dict
    robots: bytes = b"User-agent: *\nDisallow: /private/\n"

    def _fault(self) -> bool:
        """Serve the next injected fault for this path, if any; True when one was served."""
        queue = self.faults.get(self.path.split("?")[0])
        if not queue:
            return False
        fault = queue.pop(0)
        time.sleep(fault.get("sleep", 0))
        if fault.get("reset"):
            self.connection.shutdown(2)
            return True
        if "status" in fault or "body" in fault:
            self._send(
                fault.get("status", 200),
                fault.get("body", b""),
                fault.get("content_type", "application/json"),
                fault.get("headers", {}),
            )
            return True
        return False

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type="application/json", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.requests_seen.append(("GET", self.path, dict(self.headers), time.monotonic()))
        if self._fault():
            return
        if self.path == "/robots.txt":
            self._send(200, self.robots, "text/plain")
        elif self.path == "/product-finder-app/items-get.php":
            self._send(200, (SNAPSHOTS / "bodies/tco/items-get.json").read_bytes())
        else:
            self._send(404, b"{}")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests_seen.append(("POST", self.path, dict(self.headers), time.monotonic()))
        if self._fault():
            return
        url = urlparse(self.path)
        if url.path == "/token":
            ok = json.loads(body or b"{}") == {"username": USER, "password": PASSWORD}
            self._send(
                200 if ok else 401, json.dumps({"token": TOKEN} if ok else {"error": "bad credentials"}).encode()
            )
        elif url.path == "/generic/gtin":
            if self.headers.get("X-Auth-Token") != f"Bearer {TOKEN}":
                return self._send(401, b'{"error": "token"}')
            query = parse_qs(url.query)
            if query.get("product_type") != ["Displays"]:
                return self._send(400, b'{"error": "unknown product_type"}')
            page = int(query["page"][0])
            self._send(200, (SNAPSHOTS / f"bodies/tco/gtin-displays-page-{page}.json").read_bytes())
        else:
            self._send(404, b"{}")


def start_mirror(faults: dict | None = None, robots: bytes | None = None):
    """Start the mirror in a thread; returns (base URL, list of requests seen, server)."""
    seen: list = []
    attributes = {"requests_seen": seen, "faults": faults or {}}
    if robots is not None:
        attributes["robots"] = robots
    handler = type("Handler", (_Handler,), attributes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", seen, server

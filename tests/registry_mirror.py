"""A tiny TCO registry stand-in on 127.0.0.1 for tests of live crawling and recording.

It serves robots.txt, the Product Finder feed, the token exchange and the paged GTIN API from
the bundled recordings, and checks what a real registry would: the credentials and the token.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from conftest import SNAPSHOTS

USER, PASSWORD, TOKEN = "buyer@example.org", "pw-Secret-123", "tok-Secret-456"


class _Handler(BaseHTTPRequestHandler):
    requests_seen: list

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.requests_seen.append(("GET", self.path, dict(self.headers)))
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path == "/product-finder-app/items-get.php":
            self._send(200, (SNAPSHOTS / "bodies/tco/items-get.json").read_bytes())
        else:
            self._send(404, b"{}")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests_seen.append(("POST", self.path, dict(self.headers)))
        url = urlparse(self.path)
        if url.path == "/token":
            ok = json.loads(body or b"{}") == {"username": USER, "password": PASSWORD}
            self._send(200 if ok else 401, json.dumps({"token": TOKEN} if ok else {"error": "bad credentials"}).encode())
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


def start_mirror():
    """Start the mirror in a thread; returns (base URL, list of requests seen, server)."""
    seen: list = []
    handler = type("Handler", (_Handler,), {"requests_seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", seen, server

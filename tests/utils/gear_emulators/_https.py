# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the HTTPS API emulators share: a throwaway TLS certificate on loopback, JSON plumbing, a write counter with a
state dump, and a serving loop that publishes its port in a file and stops by itself after a deadline."""

from __future__ import annotations

import json
import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# GET this path on any emulator for its state: what it holds and how many writes changed it.
STATE_PATH = "/__emulator/state"


class CountingState:
    """Base of an emulator's state: a lock, the count of writes that changed something, the requests seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.writes = 0
        self.requests = []

    def record(self, request: str) -> None:
        with self.lock:
            self.requests.append(request)

    def dump(self) -> dict:
        """The vendor's data (subclasses), merged with the counters."""
        return {}

    def snapshot(self) -> dict:
        with self.lock:
            return {**self.dump(), "writes": self.writes, "requests": list(self.requests)}


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler with JSON replies; the server carries ``state`` (a CountingState)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_json(self, status: int, body, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_json(self):
        raw = self.read_body()
        return json.loads(raw) if raw.strip() else None

    def serve_state(self) -> bool:
        """Answer GET /__emulator/state; True when this request was it."""
        if self.path.split("?", 1)[0] != STATE_PATH:
            return False
        self.send_json(200, self.server.state.snapshot())
        return True


def make_tls_server(handler, state: CountingState, cert_dir: str, host: str = "127.0.0.1", port: int = 0):
    """An HTTPS server on host:port (0 = a free port) with a throwaway trustme certificate written to cert_dir."""
    import trustme  # test-only dependency

    ca = trustme.CA()
    cert = ca.issue_cert(host, "localhost")
    cert_file = os.path.join(cert_dir, "server.pem")
    cert.private_key_and_cert_chain_pem.write_to_path(cert_file)
    ca.cert_pem.write_to_path(os.path.join(cert_dir, "ca.pem"))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.state = state
    return server


def write_port_file(port_file: str, port: int) -> None:
    """Publish the port atomically: the test waits for the file, then reads a complete number."""
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(str(port))
    os.replace(tmp, port_file)


def serve(server, port_file: str, max_seconds: float) -> int:
    """Serve until interrupted or until max_seconds have passed, whichever comes first."""
    write_port_file(port_file, server.server_address[1])
    deadline = threading.Timer(max_seconds, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        deadline.cancel()
        server.server_close()
    return 0

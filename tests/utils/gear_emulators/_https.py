# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the network gear emulators share: a throwaway TLS certificate on loopback, JSON plumbing, a write counter
with a state dump, one command line (``serve_main``) and one serving loop that publishes its port in a file and stops
by itself after a deadline."""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
import tempfile
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


def serve_main(doc: str, make_server, *, user: str | None = "admin", tls: bool = True, add_arguments=None,
               argv=None) -> int:
    """The command line every emulator shares, then the shared serving loop.

    Options: ``--port-file`` (required), ``--seed`` (a file; its text is ``args.seed_text``), ``--max-seconds``,
    with ``user`` set also ``--user`` and ``--password-file`` (``args.password``, default ``test``), with ``tls``
    also ``--cert-dir`` (default: a new temporary directory). ``add_arguments(parser)`` adds an emulator's own.
    ``make_server(args)`` returns a bound ``socketserver`` server; the loop publishes its port and serves it until
    interrupted or until ``--max-seconds`` have passed.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--port-file", required=True, help="where to write the port the server listens on")
    parser.add_argument("--seed", help="file holding the device's configuration before the test")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop by itself after this long")
    if user is not None:
        parser.add_argument("--user", default=user)
        parser.add_argument("--password-file", help="file holding the password (default: the password is 'test')")
    if tls:
        parser.add_argument("--cert-dir", help="directory for the throwaway certificate (default: a temp dir)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    if args.max_seconds <= 0:
        parser.error(f"--max-seconds must be positive, got {args.max_seconds}")
    args.seed_text = None
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            args.seed_text = handle.read()
    if user is not None:
        args.password = "test"
        if args.password_file:
            with open(args.password_file, encoding="utf-8") as handle:
                args.password = handle.read().strip()
    if tls and not args.cert_dir:
        args.cert_dir = tempfile.mkdtemp(prefix="nagear-")
    try:
        server = make_server(args)
    except (OSError, ValueError) as exc:
        print(f"{parser.prog}: cannot start: {exc}", file=sys.stderr)
        return 1
    return serve(server, args.port_file, args.max_seconds)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A local HTTPS server that plays support.apple.com for the catalog reader, plus a real squid in front of it.

Serves, on 127.0.0.1 with a throwaway CA (trustme) for the names 127.0.0.1 and support.apple.test:
  /<locale>/101555            the page given with --page NAME=FILE under /NAME/101555
  /en-us/HT210060             a 301 to /en-us/101555 (Apple's own redirect: followed)
  /login/101555               a 302 to /signin (a login page: refused)
  /captive/101555             200 with a captive portal's sign-in page (no tables: refused)
  /slow/101555                answers after --slow seconds (the reader's timeout must cut it)
  anything else               404
Writes {"port", "ca", "squid"} to --state, serves for at most --lifetime seconds, and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import tempfile
import threading
import time

import trustme

LOGIN = b"<html><head><title>Sign in</title></head><body><form action=/signin><input name=user></form></body></html>"


def make_handler(pages: dict, slow: float, stopping: threading.Event):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test reads results, not logs
            pass

        def _send(self, status: int, body: bytes = b"", location: str = "") -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's hook name
            path = self.path.split("?", 1)[0]
            prefix = path.rsplit("/101555", 1)[0].strip("/") if path.endswith("/101555") else None
            if path == "/en-us/HT210060":
                self._send(301, location="/en-us/101555")
            elif prefix == "login":
                self._send(302, location="/signin?return=101555x")
            elif path == "/signin" or prefix == "captive":
                self._send(200, LOGIN)
            elif prefix == "slow":
                stopping.wait(slow)  # bounded; the client gives up first
                self._send(200, pages.get("en-us", b""))
            elif prefix in pages:
                self._send(200, pages[prefix])
            else:
                self._send(404, b"<html><body>Not found</body></html>")

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", required=True)
    parser.add_argument("--page", action="append", default=[], help="NAME=FILE, served at /NAME/101555")
    parser.add_argument("--slow", type=float, default=5.0)
    parser.add_argument("--lifetime", type=float, default=300.0)
    parser.add_argument("--squid", action="store_true", help="also start a squid CONNECT proxy for the server")
    args = parser.parse_args()
    pages = {}
    for item in args.page:
        name, _sep, path = item.partition("=")
        with open(path, "rb") as handle:
            pages[name] = handle.read()
    workdir = tempfile.mkdtemp(prefix="nacatalog-server-")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "support.apple.test")
    ca_path = os.path.join(workdir, "ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    stopping = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(pages, args.slow, stopping))
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    squid = None
    state = {"port": server.server_address[1], "ca": ca_path, "squid": None}
    if args.squid:
        from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import Squid

        squid = Squid(allowed=("support.apple.test",), hosts=("support.apple.test",))
        state["squid"] = squid.url
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    with open(args.state + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(args.state + ".tmp", args.state)
    deadline = time.monotonic() + args.lifetime
    try:
        while not stopping.is_set() and time.monotonic() < deadline:
            stopping.wait(0.5)
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        if squid:
            squid.stop()
        os.remove(ca_path)
        os.rmdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

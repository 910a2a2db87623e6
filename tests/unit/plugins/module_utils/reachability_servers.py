# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real local servers for the reachability tests: TLS with a trusted and an "inspection" CA, plain TCP services,
SNTP and QUIC version-negotiation responders, a closed port and a squid CONNECT proxy.

Everything listens on 127.0.0.1 with ports the kernel picks. Used by the unit tests (imported), and by the
integration target and the benchmark (run as a script: it writes the ports and CA files as JSON and serves until
it gets SIGTERM or its lifetime ends).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time

TRUSTED_ORG = "Netallow Test Root"
INSPECTION_ORG = "Corp TLS Inspection"
NAMES = ("*.nareach.test", "*.push.nareach.test", "captive.apple.com")
CAPTIVE_PAGE = b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
PORTAL_PAGE = b"<html><head><title>Sign in to Guest WiFi</title></head><body>Accept the terms</body></html>"


class TCPServer:
    """Accepts on 127.0.0.1:<free port> and runs handler(conn) per connection in a thread; stop() is bounded."""

    def __init__(self, handler, host: str = "127.0.0.1"):
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            ready = select.select([self.sock], [], [], 0.1)[0]
            if not ready:
                continue
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        conn.settimeout(5)
        try:
            self.handler(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class UDPServer:
    """Answers datagrams on 127.0.0.1:<free port> with reply(data) (None = stay silent)."""

    def __init__(self, reply, host: str = "127.0.0.1"):
        self.reply = reply
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            ready = select.select([self.sock], [], [], 0.1)[0]
            if not ready:
                continue
            try:
                data, peer = self.sock.recvfrom(65536)
            except OSError:
                return
            self.received += 1
            answer = self.reply(data)
            if answer is not None:
                self.sock.sendto(answer, peer)

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def closed_port(host: str = "127.0.0.1"):
    """A port bound but never listening: connects are refused, and no other process can take it meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    return sock, sock.getsockname()[1]


def die_with_parent():
    """preexec_fn for helper processes: the kernel sends SIGTERM when the process that started them exits, so a
    test process that ends without its teardown (ansible-test forks every test) leaves no helper behind."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------------------ handlers


def tls_handler(context: ssl.SSLContext):
    def handle(conn):
        with context.wrap_socket(conn, server_side=True) as tls:
            # Answer one HTTP request if the client sends one, then close.
            tls.settimeout(2)
            try:
                tls.recv(1024)
            except (OSError, ssl.SSLError):
                return
            tls.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

    return handle


def http_handler(body: bytes):
    def handle(conn):
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 8192:
            chunk = conn.recv(1024)
            if not chunk:
                break
            request += chunk
        head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
        conn.sendall(head + body)

    return handle


def banner_handler(banner: bytes):
    def handle(conn):
        conn.sendall(banner)

    return handle


def not_tls_handler(conn):
    """Speaks plain HTTP on a TLS port, as a misconfigured middlebox would."""
    conn.recv(1024)
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")


def sntp_reply(stratum: int = 2):
    def reply(data: bytes):
        if len(data) < 48:
            return None
        now = time.time() + 2208988800
        packet = bytearray(48)
        packet[0] = (0 << 6) | (4 << 3) | 4  # server
        packet[1] = stratum
        if stratum == 0:
            packet[12:16] = b"RATE"
        packet[24:32] = data[40:48]  # originate = client's transmit
        packet[32:40] = struct.pack("!II", int(now), 0)
        packet[40:48] = struct.pack("!II", int(now), int((now % 1) * (1 << 32)))
        return bytes(packet)

    return reply


def quic_vn_reply(data: bytes):
    """Answer a long-header packet with a Version Negotiation packet offering QUIC v1 and v2 (RFC 9000 17.2.1)."""
    if len(data) < 1200 or not data[0] & 0x80:
        return None
    dcid_len = data[5]
    dcid = data[6:6 + dcid_len]
    scid_len = data[6 + dcid_len]
    scid = data[7 + dcid_len:7 + dcid_len + scid_len]
    return (
        bytes([0x80 | 0x2A]) + b"\x00\x00\x00\x00" + bytes([len(scid)]) + scid + bytes([len(dcid)]) + dcid
        + struct.pack("!II", 0x00000001, 0x6B3343CF)
    )


# ------------------------------------------------------------------------------------------------ the set


class ServerSet:
    """All servers the tests need, with their CAs written to a temp directory."""

    def __init__(self, workdir: str | None = None, names=NAMES):
        import trustme  # test-only dependency

        self.workdir = workdir or tempfile.mkdtemp(prefix="nareach-")
        self.trusted_ca = trustme.CA(organization_name=TRUSTED_ORG)
        self.inspection_ca = trustme.CA(organization_name=INSPECTION_ORG)
        names = list(names) + ["localhost", "127.0.0.1"]
        self.trusted_ca_file = os.path.join(self.workdir, "trusted-ca.pem")
        self.inspection_ca_file = os.path.join(self.workdir, "inspection-ca.pem")
        self.trusted_ca.cert_pem.write_to_path(self.trusted_ca_file)
        self.inspection_ca.cert_pem.write_to_path(self.inspection_ca_file)
        self.both_ca_file = os.path.join(self.workdir, "both-ca.pem")
        with open(self.both_ca_file, "wb") as both:
            both.write(self.trusted_ca.cert_pem.bytes() + self.inspection_ca.cert_pem.bytes())

        def context(ca, hostnames):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ca.issue_cert(*hostnames).configure_cert(ctx)
            return ctx

        self.tcp = {
            "tls_trusted": TCPServer(tls_handler(context(self.trusted_ca, names))),
            "tls_inspection": TCPServer(tls_handler(context(self.inspection_ca, names))),
            "tls_wrong_name": TCPServer(tls_handler(context(self.trusted_ca, ["other.nareach.test"]))),
            "not_tls": TCPServer(not_tls_handler),
            "captive_ok": TCPServer(http_handler(CAPTIVE_PAGE)),
            "captive_portal": TCPServer(http_handler(PORTAL_PAGE)),
            "ssh": TCPServer(banner_handler(b"SSH-2.0-OpenSSH_9.2p1 nareach\r\n")),
            "plain": TCPServer(lambda conn: None),
        }
        self.udp = {
            "sntp": UDPServer(sntp_reply(2)),
            "sntp_kiss": UDPServer(sntp_reply(0)),
            "quic": UDPServer(quic_vn_reply),
            "silent": UDPServer(lambda data: None),
        }
        self._closed_sock, closed = closed_port()
        self.ports = {name: server.port for name, server in {**self.tcp, **self.udp}.items()}
        self.ports["closed"] = closed
        # A UDP port with nothing bound: the kernel answers ICMP port unreachable.
        self.ports["udp_closed"] = free_port()

    def describe(self) -> dict:
        return {
            "ports": self.ports,
            "trusted_ca": self.trusted_ca_file,
            "inspection_ca": self.inspection_ca_file,
            "both_ca": self.both_ca_file,
            "trusted_org": TRUSTED_ORG,
            "inspection_org": INSPECTION_ORG,
            "workdir": self.workdir,
        }

    def stop(self):
        for server in list(self.tcp.values()) + list(self.udp.values()):
            server.stop()
        self._closed_sock.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ squid


class Squid:
    """A real squid as CONNECT proxy: allows CONNECT to `allowed` names, denies everything else.

    Names resolve through squid's own hosts_file (all to 127.0.0.1), so no DNS is needed.
    """

    BINARY = "/usr/sbin/squid"

    AUTH_HELPER = "/usr/lib/squid/basic_ncsa_auth"

    def __init__(self, allowed=("allowed.nareach.test",), hosts=("allowed.nareach.test", "denied.nareach.test"),
                 credentials=None):
        """``credentials``: ``(user, password)`` to require proxy authentication (407 without it)."""
        self.dir = tempfile.mkdtemp(prefix="nareach-squid-")
        os.chmod(self.dir, 0o777)  # squid drops root privileges to its cache_effective_user
        self.port = free_port()
        auth_lines = []
        if credentials:
            user, password = credentials
            hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"], input=password, capture_output=True,
                                    text=True, check=True, timeout=30).stdout.strip()
            with open(os.path.join(self.dir, "passwd"), "w", encoding="ascii") as handle:
                handle.write(f"{user}:{hashed}\n")
            os.chmod(os.path.join(self.dir, "passwd"), 0o644)
            auth_lines = [f"auth_param basic program {self.AUTH_HELPER} {self.dir}/passwd",
                          "auth_param basic children 1", "acl authenticated proxy_auth REQUIRED",
                          "http_access deny !authenticated"]
        with open(os.path.join(self.dir, "hosts"), "w", encoding="ascii") as handle:
            handle.write("".join(f"127.0.0.1 {name}\n" for name in hosts))
        conf = os.path.join(self.dir, "squid.conf")
        with open(conf, "w", encoding="ascii") as handle:
            handle.write(
                "\n".join(
                    [
                        f"http_port 127.0.0.1:{self.port}",
                        f"pid_filename {self.dir}/squid.pid",
                        f"cache_log {self.dir}/cache.log",
                        f"access_log stdio:{self.dir}/access.log",
                        f"hosts_file {self.dir}/hosts",
                        f"coredump_dir {self.dir}",
                        "dns_nameservers 127.0.0.1",
                        "cache deny all",
                        "cache_mem 8 MB",
                        "pinger_enable off",
                        "netdb_filename none",
                        "logfile_rotate 0",
                        "shutdown_lifetime 0 seconds",
                        "connect_timeout 3 seconds",
                        "acl CONNECT method CONNECT",
                        "acl allowed_dst dstdomain " + " ".join(allowed),
                        *auth_lines,
                        "http_access allow CONNECT allowed_dst",
                        "http_access deny all",
                        "",
                    ]
                )
            )
        self.process = subprocess.Popen(
            [self.BINARY, "-N", "-f", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only async-signal-safe work (one prctl call)
        )
        self._wait_ready()

    def _wait_ready(self, limit: float = 20.0):
        until = time.monotonic() + limit
        while time.monotonic() < until:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        log = ""
        try:
            with open(os.path.join(self.dir, "cache.log"), encoding="utf-8", errors="replace") as handle:
                log = handle.read()[-2000:]
        except OSError:
            pass
        self.stop()
        raise RuntimeError(f"squid did not start on port {self.port}: {log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", required=True, help="JSON file to write the ports and CA paths to")
    parser.add_argument("--lifetime", type=float, default=900, help="seconds to serve at most")
    parser.add_argument("--squid", action="store_true", help="also start a squid CONNECT proxy")
    args = parser.parse_args()
    servers = ServerSet(workdir=tempfile.mkdtemp(prefix="nareach-servers-"))
    squid = Squid() if args.squid else None
    state = servers.describe()
    if squid:
        state["squid"] = squid.url
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    tmp = args.state + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(tmp, args.state)
    try:
        stopping.wait(args.lifetime)
    finally:
        if squid:
            squid.stop()
        servers.stop()


if __name__ == "__main__":
    main()

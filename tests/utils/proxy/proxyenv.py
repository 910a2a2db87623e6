# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away proxy site for tests: real squids, real TLS origin servers, real clients, all in one network namespace.

``up`` creates a network namespace ``naproxy-<random>`` (so ports 443, 5223 and 2197 are free and private), a state
directory ``/tmp/naproxy-<random>``, a test PKI (trustme), a "site" squid.conf that requires proxy authentication and
a second one with ssl-bump, then starts both squids (``squid -N``) and the origin servers inside the namespace.
``probe`` sends one request through a squid from inside the namespace and prints the outcome as JSON. ``down`` stops
every process it started and deletes the namespace and the state directory. Needs root (network namespaces).

    proxyenv.py up [--state-file F]        prints the state (JSON) and writes it to F
    proxyenv.py probe --state S --squid site|bump --host H --port P [--auth] [--tls]
    proxyenv.py down --state S
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64encode

SQUID = "/usr/sbin/squid"
CERTGEN = "/usr/lib/squid/security_file_certgen"
NCSA_AUTH = "/usr/lib/squid/basic_ncsa_auth"
SITE_ADDR, BUMP_ADDR, PROXY_PORT = "127.0.61.1", "127.0.61.2", 3128
APPLE_ADDR, OTHER_ADDR = "127.0.61.10", "127.0.61.20"
# Names the origin servers answer for; squid's hosts_file points them at the two addresses above.
APPLE_NAMES = ("1-courier.push.apple.com", "albert.apple.com", "mdm.naproxy.example")
OTHER_NAMES = ("www.example.net",)
APPLE_PORTS = (443, 5223, 2197, 8443)  # 8443 is listed by no catalog entry: CONNECT to it must be refused
OTHER_PORTS = (443, 8443)
HTTP_PORT = 80
USER = "siteuser"
WAIT_SECONDS = 20.0

_CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def in_netns(name: str):
    """Run the calling thread inside network namespace ``name``; sockets opened there stay there."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net", "rb") as home, open(f"/run/netns/{name}", "rb") as target:
        if libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {name} failed")
        try:
            yield
        finally:
            libc.setns(home.fileno(), _CLONE_NEWNET)


def run(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kwargs)


def wait_for_port(netns: str, host: str, port: int, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with in_netns(netns):
            try:
                socket.create_connection((host, port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"nothing listens on {host}:{port} in {netns} after {timeout}s") from None
        time.sleep(0.1)


# ------------------------------------------------------------------------------------------------ configuration
def write_pki(state_dir: str) -> None:
    import trustme

    origin_ca = trustme.CA(organization_name="naproxy origin CA")
    origin_ca.cert_pem.write_to_path(os.path.join(state_dir, "origin-ca.pem"))
    server = origin_ca.issue_cert(*APPLE_NAMES, *OTHER_NAMES)
    with open(os.path.join(state_dir, "origin.pem"), "wb") as handle:
        for blob in server.cert_chain_pems:
            handle.write(blob.bytes())
        handle.write(server.private_key_pem.bytes())
    proxy_ca = trustme.CA(organization_name="naproxy bumping proxy CA")
    proxy_ca.cert_pem.write_to_path(os.path.join(state_dir, "bump-ca.pem"))
    with open(os.path.join(state_dir, "bump-ca-key.pem"), "wb") as handle:
        handle.write(proxy_ca.cert_pem.bytes() + proxy_ca.private_key_pem.bytes())


def site_config(state_dir: str, name: str, ssl_bump: bool) -> str:
    """A squid.conf like a site's own: Debian's defaults, proxy authentication, optionally ssl-bump."""
    run_dir = os.path.join(state_dir, name)
    address = BUMP_ADDR if ssl_bump else SITE_ADDR
    if ssl_bump:
        port_line = (f"http_port {address}:{PROXY_PORT} ssl-bump tls-cert={state_dir}/bump-ca-key.pem "
                     "generate-host-certificates=on dynamic_cert_mem_cache_size=4MB")
    else:
        port_line = f"http_port {address}:{PROXY_PORT}"
    lines = [
        "# Site configuration written by the naproxy test harness.",
        port_line,
        f"pid_filename {run_dir}/squid.pid",
        f"cache_log {run_dir}/cache.log",
        f"access_log stdio:{run_dir}/access.log",
        f"coredump_dir {run_dir}",
        "cache deny all",
        f"hosts_file {state_dir}/hosts",
        "dns_nameservers 127.0.0.1",
        "shutdown_lifetime 0 seconds",
        f"tls_outgoing_options cafile={state_dir}/origin-ca.pem",
        f"auth_param basic program {NCSA_AUTH} {state_dir}/htpasswd",
        "auth_param basic realm naproxy",
        "acl localnet src 127.0.0.0/8",
        "acl SSL_ports port 443 8443",
        "acl Safe_ports port 80 443 1025-65535",
        "acl CONNECT method CONNECT",
        "acl authenticated proxy_auth REQUIRED",
    ]
    if ssl_bump:
        lines += [
            f"sslcrtd_program {CERTGEN} -s {run_dir}/ssl_db -M 4MB",
            "sslcrtd_children 2 startup=1 idle=1",
            "acl step1 at_step SslBump1",
        ]
    lines += [
        "http_access deny !Safe_ports",
        "http_access deny CONNECT !SSL_ports",
    ]
    if ssl_bump:
        lines += ["ssl_bump peek step1", "ssl_bump bump all", "http_access allow localnet"]
    else:
        lines += ["http_access allow localnet authenticated"]
    lines += ["http_access deny all"]
    return "\n".join(lines) + "\n"


def prepare(state_dir: str) -> dict:
    password = secrets.token_hex(8)
    write_pki(state_dir)
    digest = run("openssl", "passwd", "-apr1", password).stdout.strip()
    with open(os.path.join(state_dir, "htpasswd"), "w", encoding="ascii") as handle:
        handle.write(f"{USER}:{digest}\n")
    with open(os.path.join(state_dir, "hosts"), "w", encoding="ascii") as handle:
        handle.write(f"{APPLE_ADDR} {' '.join(APPLE_NAMES)}\n{OTHER_ADDR} {' '.join(OTHER_NAMES)}\n")
    squids = {}
    for name, ssl_bump in (("site", False), ("bump", True)):
        run_dir = os.path.join(state_dir, name)
        os.makedirs(run_dir)
        conf = os.path.join(run_dir, "squid.conf")
        with open(conf, "w", encoding="ascii") as handle:
            handle.write(site_config(state_dir, name, ssl_bump))
        if ssl_bump:
            run(CERTGEN, "-c", "-s", os.path.join(run_dir, "ssl_db"), "-M", "4MB")
        squids[name] = {
            "conf": conf,
            "include": os.path.join(run_dir, "netallow-apple.conf"),
            "address": BUMP_ADDR if ssl_bump else SITE_ADDR,
            "port": PROXY_PORT,
            "pid_file": os.path.join(run_dir, "squid.pid"),
        }
    # squid drops to the "proxy" user after reading its configuration: it must write logs and its certificate db.
    run("chown", "-R", "proxy:proxy", state_dir)
    return {"password": password, "user": USER, "squids": squids}


# ------------------------------------------------------------------------------------------------ origin servers
def _answer(connection: socket.socket, label: str) -> None:
    with contextlib.suppress(OSError):
        connection.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                return
            data += chunk
        body = f"origin {label}\n".encode()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    with contextlib.suppress(OSError):
        connection.close()


def _serve(listener: socket.socket, context: ssl.SSLContext | None, label: str) -> None:
    while True:
        connection, _peer = listener.accept()

        def handle(conn=connection):
            if context is not None:
                try:
                    conn.settimeout(5)
                    conn = context.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    conn.close()
                    return
            _answer(conn, label)

        threading.Thread(target=handle, daemon=True).start()


def serve_origins(state_dir: str) -> None:
    """Origin servers (run inside the namespace): TLS on the Apple/other ports, plain HTTP on port 80."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(state_dir, "origin.pem"))
    threads = []
    plan = [(APPLE_ADDR, port, context) for port in APPLE_PORTS] + [(OTHER_ADDR, port, context) for port in OTHER_PORTS]
    plan += [(APPLE_ADDR, HTTP_PORT, None), (OTHER_ADDR, HTTP_PORT, None)]
    for address, port, tls in plan:
        listener = socket.create_server((address, port), backlog=512)
        label = f"{address}:{port}"
        threads.append(threading.Thread(target=_serve, args=(listener, tls, label), daemon=True))
    for thread in threads:
        thread.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


# ------------------------------------------------------------------------------------------------ lifecycle
def start_squid(netns: str, conf: str, log_path: str) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(["ip", "netns", "exec", netns, SQUID, "-N", "-f", conf], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def up(state_dir: str | None = None) -> dict:
    token = secrets.token_hex(3)
    netns = f"naproxy-{token}"
    state_dir = state_dir or tempfile.mkdtemp(prefix=f"naproxy-{token}-")
    os.chmod(state_dir, 0o755)
    state = {"netns": netns, "state_dir": state_dir, "pids": [], "apple_names": list(APPLE_NAMES),
             "other_names": list(OTHER_NAMES), "apple_addr": APPLE_ADDR, "other_addr": OTHER_ADDR}
    run("ip", "netns", "add", netns)
    try:
        run("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up")
        state.update(prepare(state_dir))
        with open(os.path.join(state_dir, "origins.log"), "ab") as log:
            origins = subprocess.Popen(
                ["ip", "netns", "exec", netns, sys.executable, os.path.abspath(__file__), "serve", "--state-dir",
                 state_dir], stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        state["pids"].append(origins.pid)
        for name, squid in state["squids"].items():
            process = start_squid(netns, squid["conf"], os.path.join(state_dir, f"{name}.out"))
            state["pids"].append(process.pid)
            squid["process"] = process.pid
        wait_for_port(netns, APPLE_ADDR, 5223)
        for squid in state["squids"].values():
            wait_for_port(netns, squid["address"], squid["port"])
    except BaseException:
        down(state)
        raise
    with open(os.path.join(state_dir, "state.json"), "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2)
    return state


def _gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie left to a non-reaping init counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def down(state: dict) -> None:
    """Stop every process of the harness, then delete the namespace and the state directory (bounded waits)."""
    for pid in state.get("pids", ()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for pid in state.get("pids", ()):
        while time.monotonic() < deadline:
            try:
                finished, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                finished = _gone(pid)
            if finished:
                break
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    if state.get("netns"):
        subprocess.run(["ip", "netns", "delete", state["netns"]], check=False, capture_output=True)
    if state.get("state_dir") and os.path.basename(state["state_dir"]).startswith("naproxy-"):
        shutil.rmtree(state["state_dir"], ignore_errors=True)


# ------------------------------------------------------------------------------------------------ client
def probe(state: dict, squid_name: str, host: str, port: int, auth: bool = False, tls: bool = True,
          timeout: float = 10.0) -> dict:
    """One request through squid: CONNECT host:port (then TLS, reporting who issued the certificate seen) or,
    with ``tls=False``, a plain ``GET http://host:port/``. Certificates are checked against both test CAs."""
    squid = state["squids"][squid_name]
    header = ""
    if auth:
        credentials = b64encode(f"{state['user']}:{state['password']}".encode()).decode()
        header = f"Proxy-Authorization: Basic {credentials}\r\n"
    result: dict = {"squid": squid_name, "host": host, "port": port, "auth": auth}
    with in_netns(state["netns"]):
        sock = socket.create_connection((squid["address"], squid["port"]), timeout=timeout)
    with sock:
        if not tls:
            sock.sendall(f"GET http://{host}:{port}/ HTTP/1.1\r\nHost: {host}:{port}\r\n{header}"
                         "Connection: close\r\n\r\n".encode())
            reply = _read_all(sock)
            result["status"] = _status(reply)
            result["body"] = reply.partition(b"\r\n\r\n")[2].decode(errors="replace")
            return result
        sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n{header}\r\n".encode())
        reply = _read_head(sock)
        result["status"] = _status(reply)
        if result["status"] != 200:
            return result
        context = ssl.create_default_context()
        context.load_verify_locations(os.path.join(state["state_dir"], "origin-ca.pem"))
        context.load_verify_locations(os.path.join(state["state_dir"], "bump-ca.pem"))
        with context.wrap_socket(sock, server_hostname=host) as tls_sock:
            issuer = dict(item[0] for item in tls_sock.getpeercert()["issuer"])
            result["issuer"] = issuer.get("organizationName")
            tls_sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            answer = _read_all(tls_sock)
            result["inner_status"] = _status(answer)
            result["body"] = answer.partition(b"\r\n\r\n")[2].decode(errors="replace")
    return result


def _read_head(sock) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(1)  # byte by byte: what follows the reply head belongs to the TLS handshake
        if not chunk:
            break
        data += chunk
    return data


def _read_all(sock) -> bytes:
    data = b""
    while len(data) < 1 << 20:
        try:
            chunk = sock.recv(65536)
        except (ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data


def _status(reply: bytes) -> int:
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def load_state(path: str) -> dict:
    if os.path.isdir(path):
        path = os.path.join(path, "state.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    cmd_up = commands.add_parser("up")
    cmd_up.add_argument("--state-file", help="also write the state (JSON) here")
    cmd_down = commands.add_parser("down")
    cmd_down.add_argument("--state", required=True)
    cmd_probe = commands.add_parser("probe")
    cmd_probe.add_argument("--state", required=True)
    cmd_probe.add_argument("--squid", choices=("site", "bump"), default="site")
    cmd_probe.add_argument("--host", required=True)
    cmd_probe.add_argument("--port", type=int, default=443)
    cmd_probe.add_argument("--auth", action="store_true")
    cmd_probe.add_argument("--plain", action="store_true", help="plain HTTP GET instead of CONNECT + TLS")
    cmd_serve = commands.add_parser("serve")
    cmd_serve.add_argument("--state-dir", required=True)
    args = parser.parse_args(argv)

    if args.command == "up":
        state = up()
        if args.state_file:
            with open(args.state_file, "w", encoding="utf-8") as handle:
                json.dump(state, handle, indent=2)
        print(json.dumps(state))
    elif args.command == "down":
        with contextlib.suppress(FileNotFoundError):
            down(load_state(args.state))
    elif args.command == "probe":
        print(json.dumps(probe(load_state(args.state), args.squid, args.host, args.port, args.auth, not args.plain)))
    elif args.command == "serve":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        serve_origins(args.state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

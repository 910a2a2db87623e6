# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real TCP/UDP/DNS traffic for the namespace firewall tests (stdlib only).

  serve --tcp 443,5223 --udp 3478 --lifetime 240   echo server on every address (IPv4 and IPv6), bounded lifetime
  probe tcp:17.253.1.1:443 udp:[2620:149:a::1]:3478 ...   prints {"<spec>": "open"|"blocked"} as JSON
  resolve NAME SERVER                                one A query over UDP, prints the addresses as JSON
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import random
import socket
import struct
import subprocess
import sys
import threading
import time

PAYLOAD = b"nanft-ping"


def _echo_tcp(sock: socket.socket) -> None:
    while True:
        conn, _peer = sock.accept()
        with conn:
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                conn.sendall(conn.recv(64))


def _echo_udp(sock: socket.socket) -> None:
    while True:
        data, peer = sock.recvfrom(64)
        sock.sendto(data, peer)


def _local_addresses() -> list[str]:
    listing = json.loads(subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, text=True,
                                        check=True).stdout)
    return [info["local"] for link in listing for info in link.get("addr_info", ())
            if info.get("scope") != "link" and info["local"] not in ("127.0.0.1", "::1")]


def serve(tcp_ports: list[int], udp_ports: list[int], lifetime: float) -> int:
    # TCP listens on the wildcard address. UDP binds every address on its own: a wildcard UDP socket would answer
    # from the address of the outgoing route, and a firewall would rightly see the reply as a new flow.
    binds = [(socket.SOCK_STREAM, socket.AF_INET, "0.0.0.0", port, _echo_tcp) for port in tcp_ports]
    binds += [(socket.SOCK_STREAM, socket.AF_INET6, "::", port, _echo_tcp) for port in tcp_ports]
    for address in _local_addresses():
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        binds += [(socket.SOCK_DGRAM, family, address, port, _echo_udp) for port in udp_ports]
    for kind, family, address, port, worker in binds:
        sock = socket.socket(family, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((address, port))
        if kind == socket.SOCK_STREAM:
            sock.listen(16)
        threading.Thread(target=worker, args=(sock,), daemon=True).start()
    print("serving", flush=True)
    time.sleep(lifetime)
    return 0


def _split(spec: str) -> tuple[str, str, int]:
    proto, rest = spec.split(":", 1)
    host, port = rest.rsplit(":", 1)
    return proto, host.strip("[]"), int(port)


def probe_one(spec: str, timeout: float) -> str:
    proto, host, port = _split(spec)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if proto == "tcp":
        try:
            with socket.create_connection((host, port), timeout=timeout) as conn:
                conn.sendall(PAYLOAD)
                return "open" if conn.recv(64) == PAYLOAD else "blocked"
        except OSError:
            return "blocked"
    if proto == "udp":
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.sendto(PAYLOAD, (host, port))
                data, _peer = sock.recvfrom(64)
            except OSError:
                return "blocked"
            return "open" if data == PAYLOAD else "blocked"
    raise SystemExit(f"unknown protocol {proto!r} in {spec!r}: use tcp or udp")


def probe(specs: list[str], timeout: float) -> int:
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = dict(zip(specs, pool.map(lambda spec: probe_one(spec, timeout), specs)))
    print(json.dumps(results, sort_keys=True))
    return 0


def resolve(name: str, server: str, timeout: float) -> int:
    qid = random.randint(0, 0xFFFF)
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    query += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(query, (server, 53))
        reply, _peer = sock.recvfrom(4096)
    answers = struct.unpack(">H", reply[6:8])[0]
    pos = len(query)
    addresses = []
    for _answer in range(answers):
        while reply[pos] not in (0,) and reply[pos] < 0xC0:
            pos += reply[pos] + 1
        pos += 2 if reply[pos] >= 0xC0 else 1
        rtype, _rclass, _ttl, rdlen = struct.unpack(">HHIH", reply[pos:pos + 10])
        pos += 10
        if rtype == 1:
            addresses.append(socket.inet_ntoa(reply[pos:pos + rdlen]))
        pos += rdlen
    print(json.dumps(addresses))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--tcp", default="")
    p_serve.add_argument("--udp", default="")
    p_serve.add_argument("--lifetime", type=float, default=240.0)
    p_probe = sub.add_parser("probe")
    p_probe.add_argument("specs", nargs="+")
    p_probe.add_argument("--timeout", type=float, default=1.5)
    p_resolve = sub.add_parser("resolve")
    p_resolve.add_argument("name")
    p_resolve.add_argument("server")
    p_resolve.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    if args.command == "serve":
        ports = [[int(p) for p in value.split(",") if p] for value in (args.tcp, args.udp)]
        return serve(ports[0], ports[1], min(args.lifetime, 900.0))
    if args.command == "probe":
        return probe(args.specs, args.timeout)
    return resolve(args.name, args.server, args.timeout)


if __name__ == "__main__":
    sys.exit(main())

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nftables role's resolve-at-apply script against a hostile DNS server, inside a scratch network namespace.

The server (a real UDP socket on the namespace's loopback, port 53) answers each test name with one trick:
malformed replies, a reply from another port, records for another name, oversized answers, and addresses that must
never be allowed (unspecified, broadcast, loopback, multicast, link-local). The script runs as the role runs it,
against the real nft, and the sets it fills are read back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import render

NFT = shutil.which("nft") or "/usr/sbin/nft"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SCRIPT = os.path.join(os.path.dirname(__file__), *[".."] * 4, "roles", "nftables", "files",
                      "netallow-apple-nft-refresh.py")
pytestmark = pytest.mark.skipif(not (os.access(NFT, os.X_OK) and IS_ROOT and shutil.which("ip")),
                                reason="needs root, nft and ip for a scratch network namespace")

# The hostile server: one behaviour per name; it stops by itself after its lifetime.
SERVER = textwrap.dedent(r'''
    import socket, struct, sys, time
    def name_of(packet):
        labels, pos = [], 12
        while packet[pos]:
            labels.append(packet[pos + 1:pos + 1 + packet[pos]].decode()); pos += packet[pos] + 1
        return ".".join(labels), pos + 5
    def encode(name):
        return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    def record(owner, kind, data):
        return encode(owner) + struct.pack(">HHIH", kind, 1, 60, len(data)) + data
    def reply(query, records, qid=None, flags=0x8180):
        qid = struct.unpack(">H", query[:2])[0] if qid is None else qid
        name, end = name_of(query)
        return struct.pack(">HHHHHH", qid, flags, 1, len(records), 0, 0) + query[12:end] + b"".join(records)
    A = lambda text: socket.inet_pton(socket.AF_INET, text)
    AAAA = lambda text: socket.inet_pton(socket.AF_INET6, text)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    spoofer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    spoofer.bind(("127.0.0.1", 0))
    sock.settimeout(1.0)
    until = time.monotonic() + float(sys.argv[1])
    while time.monotonic() < until:
        try:
            query, client = sock.recvfrom(512)
        except socket.timeout:
            continue
        name, _end = name_of(query)
        qtype = struct.unpack(">H", query[_end - 4:_end - 2])[0]
        label = name.split(".")[0]
        good = [record(name, 1, A("198.51.100.10"))] if qtype == 1 else [record(name, 28, AAAA("2001:db8::10"))]
        if label == "malformed":
            sock.sendto(query[:2] + b"\x81\x80\x00\x01\x00\x05", client)  # a header cut short
            sock.sendto(reply(query, [])[:-2] + b"\xc0\xff\xc0\x0c" * 3, client)  # pointers into nowhere
            sock.sendto(reply(query, [record(name, 1, b"\x01")]), client)  # an A record of one byte
            sock.sendto(reply(query, good), client)
        elif label == "spoofed":
            spoofer.sendto(reply(query, [record(name, 1, A("203.0.113.66"))] if qtype == 1 else []), client)
            sock.sendto(reply(query, [], qid=(struct.unpack(">H", query[:2])[0] + 1) & 0xFFFF), client)
            sock.sendto(reply(query, good), client)
        elif label == "othername":
            evil = record("evil.nareach.test", 1, A("203.0.113.77")) if qtype == 1 else \
                record("evil.nareach.test", 28, AAAA("2001:db8::77"))
            sock.sendto(reply(query, [evil] + good), client)
        elif label == "forbidden":
            values = ["0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1", "169.254.1.1", "240.0.0.1"] \
                if qtype == 1 else ["::", "::1", "fe80::1", "ff02::1"]
            kind, pack = (1, A) if qtype == 1 else (28, AAAA)
            sock.sendto(reply(query, [record(name, kind, pack(v)) for v in values] + good), client)
        elif label == "oversized":
            kind, data = (1, A("198.51.100.20")) if qtype == 1 else (28, AAAA("2001:db8::20"))
            sock.sendto(reply(query, [record(name, kind, data)] * 400), client)
        elif label == "cname":
            target = "target.nareach.test"
            answer = [record(name, 5, encode(target))]
            answer += [record(target, 1, A("198.51.100.30"))] if qtype == 1 else []
            sock.sendto(reply(query, answer), client)
''')
NAMES = ["malformed", "spoofed", "othername", "forbidden", "oversized", "cname"]


@pytest.fixture
def netns(tmp_path):
    name = f"nadns-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    server = None
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        (tmp_path / "server.py").write_text(SERVER)
        server = subprocess.Popen(["ip", "netns", "exec", name, sys.executable, str(tmp_path / "server.py"), "60"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        yield name
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        subprocess.run(["ip", "netns", "del", name], check=False)


def elements(netns_name, set_name):
    listing = subprocess.run(["ip", "netns", "exec", netns_name, NFT, "-j", "list", "set", "inet", "netallow_apple",
                              set_name], capture_output=True, text=True, check=True, timeout=30).stdout
    values = set()
    for item in json.loads(listing)["nftables"]:
        for elem in item.get("set", {}).get("elem", []):
            values.add(str(elem["elem"]["val"] if isinstance(elem, dict) else elem))
    return values


def test_refresh_survives_a_hostile_dns_server(netns, tmp_path):
    model = build_allowlist([], extra=[{"host": f"{name}.nareach.test", "tcp": [443], "udp": []} for name in NAMES])
    subprocess.run(["ip", "netns", "exec", netns, NFT, "-f", "-"], input=render(model, drop_other=False, current=""),
                   text=True, check=True, timeout=30)
    (tmp_path / "names.json").write_text(render(model, artifact="refresh"))
    result = subprocess.run(["ip", "netns", "exec", netns, sys.executable, SCRIPT, str(tmp_path / "names.json"),
                             "127.0.0.1"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    v4, v6 = elements(netns, "tcp_443_dns4"), elements(netns, "tcp_443_dns6")
    assert v4 == {"198.51.100.10", "198.51.100.20", "198.51.100.30"}, (v4, result.stderr)
    assert v6 == {"2001:db8::10", "2001:db8::20"}, (v6, result.stderr)
    # What was ignored is reported, each kind of trick by name.
    assert "not from the server 127.0.0.1 port 53" in result.stderr
    assert "malformed or mismatched reply for malformed.nareach.test" in result.stderr
    assert "record for 'evil.nareach.test'" in result.stderr
    for address in ("0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1", "169.254.1.1", "::1", "fe80::1"):
        assert f"ignored: {address} for forbidden.nareach.test" in result.stderr
    assert "beyond the first 64" in result.stderr
    assert result.stdout.startswith("added 5 address(es); ignored ")

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scratch network namespaces and a minimal DNS client for the dnsmasq/iptables renderer tests."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import struct
import subprocess

import pytest

NEEDS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2 for a scratch network namespace"
)


def run(args, stdin=None, check=True):
    """Run a command, returning the completed process; a failure shows its stderr."""
    result = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=30, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}{result.stdout}")
    return result


@contextlib.contextmanager
def scratch_netns():
    """A new network namespace ``narc-<random>`` with loopback up, deleted afterwards even on failure."""
    name = f"narc-{secrets.token_hex(4)}"
    run(["ip", "netns", "add", name])
    try:
        run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
        yield name
    finally:
        run(["ip", "netns", "del", name], check=False)


def dns_query(name: str, qtype: int = 1) -> bytes:
    """A DNS query packet for ``name`` (qtype 1 = A, 28 = AAAA) with recursion desired."""
    header = struct.pack("!HHHHHH", secrets.randbits(16), 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.split("."))
    return header + labels + b"\x00" + struct.pack("!HH", qtype, 1)


def resolve_in_netns(netns: str, server: str, port: int, name: str, qtype: int = 1) -> bytes:
    """Send one UDP DNS query from inside ``netns`` (python -c in the namespace) and return the raw answer."""
    code = (
        "import socket,sys,binascii;"
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(5);"
        f"s.sendto(binascii.unhexlify('{dns_query(name, qtype).hex()}'),('{server}',{port}));"
        "sys.stdout.write(binascii.hexlify(s.recv(4096)).decode())"
    )
    result = run(["ip", "netns", "exec", netns, _python(), "-c", code])
    return bytes.fromhex(result.stdout.strip())


def _python() -> str:
    import sys

    return sys.executable


def answer_count(packet: bytes) -> int:
    return struct.unpack("!H", packet[6:8])[0]


def free_port() -> int:
    # Only a hint inside the fresh namespace (nothing else listens there); taken from the host's ephemeral range.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

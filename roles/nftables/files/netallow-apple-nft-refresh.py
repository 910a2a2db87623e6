# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resolve the names of a netallow.apple name list and add their addresses to the nftables dynamic sets.

The fallback for hosts without dnsmasq: run at apply time and from a systemd timer. Each address is added with the
set's own timeout; addresses the names no longer resolve to age out. Wildcards cannot be resolved ahead of use, so
the list holds exact names only. Prints "added <n> address(es)".

Usage: netallow-apple-nft-refresh.py NAMES.json [DNS-SERVER]
With DNS-SERVER, names are resolved by asking that server directly (A and AAAA over UDP), for example the resolver
the clients use, so that the sets hold the addresses the clients are given; otherwise the system resolver answers.
"""
import ipaddress
import json
import random
import socket
import struct
import subprocess
import sys


def _skip_name(packet, pos):
    while packet[pos] != 0:
        if packet[pos] >= 0xC0:
            return pos + 2
        pos += packet[pos] + 1
    return pos + 1


def query(name, server, rtype, timeout=3.0):
    """Addresses of one A (1) or AAAA (28) query sent to ``server``; an empty list when it does not answer."""
    qid = random.randint(0, 0xFFFF)
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    packet += b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.split(".")) + b"\0"
    packet += struct.pack(">HH", rtype, 1)
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(packet, (server, 53))
            reply = sock.recv(4096)
        except OSError as exc:
            sys.stderr.write(f"no answer from {server} for {name}: {exc}\n")
            return []
    if struct.unpack(">H", reply[:2])[0] != qid:
        return []
    answers = struct.unpack(">H", reply[6:8])[0]
    pos = _skip_name(reply, 12) + 4
    found = []
    for _answer in range(answers):
        pos = _skip_name(reply, pos)
        kind, _cls, _ttl, length = struct.unpack(">HHIH", reply[pos:pos + 10])
        pos += 10
        if kind == rtype == 1:
            found.append(socket.inet_ntop(socket.AF_INET, reply[pos:pos + length]))
        elif kind == rtype == 28:
            found.append(socket.inet_ntop(socket.AF_INET6, reply[pos:pos + length]))
        pos += length
    return found


def resolve(name, server=None):
    addresses = {"4": set(), "6": set()}
    if server:
        addresses["4"].update(query(name, server, 1))
        addresses["6"].update(query(name, server, 28))
        return addresses
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        sys.stderr.write(f"cannot resolve {name}: {exc}\n")
        return addresses
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        addresses[str(address.version)].add(str(address))
    return addresses


def live_elements(family, table, set_name):
    result = subprocess.run(["nft", "-j", "list", "set", family, table, set_name], capture_output=True, text=True,
                            check=True)
    elements = set()
    for item in json.loads(result.stdout)["nftables"]:
        for elem in item.get("set", {}).get("elem", []):
            value = elem["elem"]["val"] if isinstance(elem, dict) and "elem" in elem else elem
            elements.add(str(value))
    return elements


def main(path, server=None):
    with open(path, encoding="utf-8") as handle:
        names = json.load(handle)
    family, table = names["family"], names["table"]
    wanted = {}
    for name, sets in sorted(names["names"].items()):
        addresses = resolve(name, server)
        for version, set_names in sets.items():
            for set_name in set_names:
                wanted.setdefault(set_name, set()).update(addresses[version])
    batch = []
    added = 0
    for set_name, addresses in sorted(wanted.items()):
        new = sorted(addresses - live_elements(family, table, set_name))
        if new:
            added += len(new)
            batch.append(f"add element {family} {table} {set_name} {{ {', '.join(new)} }}")
    if batch:
        subprocess.run(["nft", "-f", "-"], input="\n".join(batch) + "\n", text=True, check=True)
    print(f"added {added} address(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))

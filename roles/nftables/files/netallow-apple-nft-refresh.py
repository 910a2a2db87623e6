# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resolve the names of a netallow.apple name list and add their addresses to the nftables dynamic sets.

The fallback for hosts without dnsmasq: run at apply time and from a systemd timer. Each address is added with the
set's own timeout; addresses the names no longer resolve to age out. Wildcards cannot be resolved ahead of use, so
the list holds exact names only. Prints "added <n> address(es)".

Usage: netallow-apple-nft-refresh.py NAMES.json [DNS-SERVER [PORT]]
With DNS-SERVER, names are resolved by asking that server directly (A and AAAA over UDP), for example the resolver
the clients use, so that the sets hold the addresses the clients are given; otherwise the system resolver answers.
Answers are distrusted: a reply from another address or port, for another question or name, or malformed is
ignored; unspecified, broadcast, loopback, multicast and link-local addresses never enter a set. What was ignored
is reported on stderr and counted in the last line.
"""
import ipaddress
import json
import secrets
import socket
import struct
import subprocess
import sys
import time

MAX_REPLY = 65535
MAX_ANSWERS = 64
_IGNORED = []


def ignore(what):
    """Record and report an answer that was not used (the run goes on)."""
    _IGNORED.append(what)
    sys.stderr.write(f"ignored: {what}\n")


def usable(address):
    """Whether an answered address may enter an allow set: never unspecified, broadcast, loopback, multicast,
    link-local or reserved addresses, which a hostile or filtering resolver answers to open the host itself."""
    # 255.255.255.255 is inside 240.0.0.0/4, which is_reserved covers.
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local
                or address.is_reserved)


def _read_name(packet, pos):
    """(lower-case name, position after it); raises ValueError on a malformed or looping name."""
    labels = []
    end = None
    for _jump in range(32):
        while True:
            if pos >= len(packet):
                raise ValueError("name runs past the end of the packet")
            length = packet[pos]
            if length >= 0xC0:
                if pos + 1 >= len(packet):
                    raise ValueError("truncated compression pointer")
                if end is None:
                    end = pos + 2
                pos = ((length & 0x3F) << 8) | packet[pos + 1]
                break
            if length > 63:
                raise ValueError(f"label length {length}")
            if length == 0:
                return ".".join(labels).lower(), (end if end is not None else pos + 1)
            labels.append(packet[pos + 1:pos + 1 + length].decode("ascii", "replace"))
            if pos + 1 + length > len(packet):
                raise ValueError("label runs past the end of the packet")
            pos += length + 1
    raise ValueError("too many compression pointers")


def parse_reply(reply, qid, name, rtype):
    """Addresses of ``name`` (and of the CNAME chain from it) in a DNS reply; raises ValueError when the reply is
    not the answer to this question. Records for other names are ignored and reported."""
    if len(reply) < 12:
        raise ValueError(f"{len(reply)} bytes, shorter than a DNS header")
    rid, flags, qdcount, ancount = struct.unpack(">HHHH", reply[:8])
    if rid != qid:
        raise ValueError(f"id {rid} is not the query's")
    if not flags & 0x8000:
        raise ValueError("not a response")
    if qdcount != 1:
        raise ValueError(f"{qdcount} questions")
    qname, pos = _read_name(reply, 12)
    if pos + 4 > len(reply):
        raise ValueError("truncated question")
    if qname != name or struct.unpack(">H", reply[pos:pos + 2])[0] != rtype:
        raise ValueError(f"answers another question ({qname!r})")
    rcode = flags & 0x000F
    if rcode:
        sys.stderr.write(f"{name}: the server answered rcode {rcode}\n")
        return []
    pos += 4
    owners = {name}
    found = []
    for _index in range(min(ancount, MAX_ANSWERS)):
        owner, pos = _read_name(reply, pos)
        if pos + 10 > len(reply):
            raise ValueError("truncated record")
        kind, _cls, _ttl, length = struct.unpack(">HHIH", reply[pos:pos + 10])
        pos += 10
        data = reply[pos:pos + length]
        if len(data) != length:
            raise ValueError("record data runs past the end of the packet")
        if owner not in owners:
            ignore(f"{kind} record for {owner!r} in the answer for {name}")
        elif kind == 5:
            owners.add(_read_name(reply, pos)[0])
        elif kind == rtype and ((rtype == 1 and length == 4) or (rtype == 28 and length == 16)):
            address = ipaddress.ip_address(data)
            if usable(address):
                found.append(str(address))
            else:
                ignore(f"{address} for {name} (not a routable unicast address)")
        pos += length
    if ancount > MAX_ANSWERS:
        ignore(f"{ancount - MAX_ANSWERS} answer(s) beyond the first {MAX_ANSWERS} for {name}")
    return found


def query(name, server, rtype, timeout=3.0, port=53):
    """Addresses of one A (1) or AAAA (28) query sent to ``server``; an empty list when it does not answer.

    Only a reply from the server's own address and port, with the query's id and question, is used; anything
    else that arrives meanwhile is ignored and reported, and waiting stops at the timeout.
    """
    qid = secrets.randbelow(0x10000)
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    packet += b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.split(".")) + b"\0"
    packet += struct.pack(">HH", rtype, 1)
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    expected = ipaddress.ip_address(server)
    deadline = time.monotonic() + timeout
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(packet, (server, port))
        except OSError as exc:
            sys.stderr.write(f"cannot ask {server} for {name}: {exc}\n")
            return []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.stderr.write(f"no answer from {server} for {name} within {timeout:g}s\n")
                return []
            sock.settimeout(left)
            try:
                reply, source = sock.recvfrom(MAX_REPLY)
            except OSError as exc:
                sys.stderr.write(f"no answer from {server} for {name}: {exc}\n")
                return []
            if ipaddress.ip_address(source[0].split("%")[0]) != expected or source[1] != port:
                ignore(f"a reply from {source[0]} port {source[1]}, not from the server {server} port {port}")
                continue
            try:
                return parse_reply(reply, qid, name, rtype)
            except (ValueError, struct.error, IndexError) as exc:
                ignore(f"a malformed or mismatched reply for {name} ({exc})")


def resolve(name, server=None, port=53):
    addresses = {"4": set(), "6": set()}
    if server:
        addresses["4"].update(query(name, server, 1, port=port))
        addresses["6"].update(query(name, server, 28, port=port))
        return addresses
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        sys.stderr.write(f"cannot resolve {name}: {exc}\n")
        return addresses
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if usable(address):
            addresses[str(address.version)].add(str(address))
        else:
            ignore(f"{address} for {name} (not a routable unicast address)")
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


def main(path, server=None, port=53):
    with open(path, encoding="utf-8") as handle:
        names = json.load(handle)
    family, table = names["family"], names["table"]
    wanted = {}
    for name, sets in sorted(names["names"].items()):
        addresses = resolve(name, server, port)
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
    print(f"added {added} address(es)" + (f"; ignored {len(_IGNORED)} answer(s)" if _IGNORED else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None,
                  int(sys.argv[3]) if len(sys.argv) > 3 else 53))

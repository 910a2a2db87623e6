#!/usr/bin/python3
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resolve the names of a netallow.apple name list and add their addresses to the nftables dynamic sets.

The fallback for hosts without dnsmasq: run at apply time and from a systemd timer. Each address is added with the
set's own timeout; addresses the names no longer resolve to age out. Wildcards cannot be resolved ahead of use, so
the list holds exact names only. Prints "added <n> address(es)".
"""
import ipaddress
import json
import socket
import subprocess
import sys


def resolve(name):
    addresses = {"4": set(), "6": set()}
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


def main(path):
    with open(path, encoding="utf-8") as handle:
        names = json.load(handle)
    family, table = names["family"], names["table"]
    wanted = {}
    for name, sets in sorted(names["names"].items()):
        addresses = resolve(name)
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
    sys.exit(main(sys.argv[1]))

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Name resolution with a time limit, and what the answer says: whose network the addresses are in."""

from __future__ import annotations

import ipaddress
import socket
import threading

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import APPLE_NETWORKS

_APPLE_NETWORKS = tuple(ipaddress.ip_network(net) for net in APPLE_NETWORKS)
_FAMILIES = {"4": (socket.AF_INET,), "6": (socket.AF_INET6,)}


def routable_unicast(text: str) -> bool:
    address = ipaddress.ip_address(text)
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local
                or address.is_reserved)


def classify_addresses(addresses) -> str | None:
    """'apple' when every address is in Apple's networks, 'cdn' when none is, 'mixed' otherwise."""
    if not addresses:
        return None
    inside = [any(ipaddress.ip_address(a) in net for net in _APPLE_NETWORKS) for a in addresses]
    if all(inside):
        return "apple"
    if not any(inside):
        return "cdn"
    return "mixed"


def run_bounded(func, timeout: float):
    """Run a blocking call (getaddrinfo has no timeout of its own) in a daemon thread, bounded by timeout.

    Returns the call's result or re-raises its exception; raises socket.timeout when it does not finish in time
    (the thread is left to finish on its own; being a daemon it never delays the process exit).
    """
    box = {}

    def runner():
        try:
            box["value"] = func()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=runner, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise socket.timeout(f"no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def resolve(name: str, ip_version: str, timeout: float):
    """Addresses of ``name`` for the families ``ip_version`` asks (V(any): both), in the resolver's order.

    Returns (addresses, errors): the resolver's error texts for families that gave nothing. Raises socket.timeout
    when one family gets no answer within ``timeout``.
    """
    addresses, errors = [], []
    for family in _FAMILIES.get(ip_version, (socket.AF_INET, socket.AF_INET6)):
        try:
            infos = run_bounded(lambda fam=family: socket.getaddrinfo(name, None, fam, socket.SOCK_STREAM), timeout)
        except socket.gaierror as exc:
            errors.append(exc.strerror or str(exc))
            continue
        for info in infos:
            addr = info[4][0].split("%", 1)[0]
            if addr not in addresses:
                addresses.append(addr)
    return addresses, errors

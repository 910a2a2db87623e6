# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host name, URL and IP matching against catalog entries, with exact wildcard semantics.

A wildcard entry ``*.push.apple.com`` covers every name that ends in ``.push.apple.com`` with at least one label
in front (``1-courier.push.apple.com``, ``a.b.push.apple.com``) and never the domain itself, a name that merely
ends in the same characters (``xpush.apple.com``) or a name with more labels after it
(``push.apple.com.example.net``). An IP literal matches a CIDR entry of its family and never a name entry.
"""

from __future__ import annotations

import functools
import ipaddress
import typing as t
from urllib.parse import urlsplit

from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import (
    is_decimal,
    is_ip_literal,
    is_network_syntax,
    normalize_hostname,
    parse_network,
    split_wildcard,
)

__all__ = (
    "check_entries",
    "host_from_target",
    "is_ip_literal",
    "match",
    "matches",
    "normalize_hostname",
    "parse_entry_host",
)

HostKind = t.Literal["fqdn", "wildcard", "cidr"]


def _check_port(port: str, target: str) -> None:
    if not is_decimal(port) or not 1 <= int(port) <= 65535:
        raise ValueError(f"invalid target {target!r}: port {port!r} must be a number from 1 to 65535")


def host_from_target(target: str) -> str:
    """Extract the host of a target: a host name, a URL, an IPv4/IPv6 literal or ``[v6]:port`` / ``host:port``.

    Returns a normalised host name (see normalize_hostname) or the compressed text form of the IP address.
    """
    if not isinstance(target, str):
        raise ValueError(f"invalid target {target!r}: expected a string, got {type(target).__name__}")
    text = target.strip()
    if not text:
        raise ValueError(f"invalid target {target!r}: empty")
    if is_ip_literal(text):
        if "%" in text:
            raise ValueError(f"invalid target {target!r}: IPv6 zone identifiers are not supported")
        return ipaddress.ip_address(text).compressed
    if "\\" in text or any(char.isspace() or not char.isprintable() for char in text):
        # Browsers (WHATWG URL) read a backslash as "/" in http(s) URLs, Python's urlsplit does not: the two would
        # see different hosts in "https://evil.com" + backslash + "@albert.apple.com/".
        raise ValueError(f"invalid target {target!r}: contains a backslash, a space or a control character")
    if "://" in text or "/" in text:
        # "//" makes urlsplit read a scheme-less "host/path" as a network location.
        parts = urlsplit(text if "://" in text else "//" + text)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if not netloc:
            raise ValueError(f"invalid target {target!r}: no host in URL")
        return host_from_target(netloc)
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError(f"invalid target {target!r}: missing ']' after the IPv6 address")
        rest = text[close + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"invalid target {target!r}: expected ':port' after ']'")
            _check_port(rest[1:], target)
        inner = text[1:close]
        try:
            address = ipaddress.IPv6Address(inner)
        except ValueError as exc:
            raise ValueError(f"invalid target {target!r}: {inner!r} is not an IPv6 address") from exc
        return address.compressed
    if text.count(":") == 1:
        host, port = text.split(":")
        _check_port(port, target)
        text = host
        if is_ip_literal(text):
            return ipaddress.ip_address(text).compressed
    try:
        return normalize_hostname(text)
    except ValueError as exc:
        raise ValueError(f"invalid target {target!r}: {exc}") from exc


@functools.lru_cache(maxsize=4096)
def parse_entry_host(host: str) -> tuple[HostKind, t.Any]:
    """Classify an entry host: ``("fqdn", name)``, ``("wildcard", domain)`` or ``("cidr", ip_network)``."""
    if not isinstance(host, str):
        raise ValueError(f"invalid entry host {host!r}: expected a string")
    if is_network_syntax(host, "literal"):
        try:
            return "cidr", parse_network(host)
        except ValueError as exc:
            raise ValueError(f"invalid entry host {host!r}: {exc}") from exc
    wildcard, name = split_wildcard(host)
    return ("wildcard" if wildcard else "fqdn"), normalize_hostname(name)


def _entry_host(entry: t.Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, t.Mapping) and "host" in entry:
        return entry["host"]
    raise ValueError(f"invalid entry {entry!r}: expected a host string or a mapping with a 'host' key")


def check_entries(entries: t.Any) -> None:
    """Entries must be a list of catalog entries (mappings with ``host``) or host strings."""
    if not isinstance(entries, list):
        raise ValueError(f"entries must be a list of catalog entries or host strings, got {type(entries).__name__}")
    for entry in entries:
        if not isinstance(entry, str) and not (isinstance(entry, t.Mapping) and "host" in entry):
            raise ValueError(f"entry {entry!r} is neither a catalog entry (a dict with 'host') nor a host string")


def _port_listed(ports: t.Iterable[t.Any], port: int) -> bool:
    for item in ports:
        if isinstance(item, int) and item == port:
            return True
        if isinstance(item, str):
            low, sep, high = item.partition("-")
            if sep and is_decimal(low) and is_decimal(high) and int(low) <= port <= int(high):
                return True
            if not sep and is_decimal(item) and int(item) == port:
                return True
    return False


def _host_matches(kind: HostKind, value: t.Any, target_host: str, target_ip: t.Any) -> bool:
    if target_ip is not None:
        return kind == "cidr" and value.version == target_ip.version and target_ip in value
    if kind == "fqdn":
        return value == target_host
    if kind == "wildcard":
        return target_host.endswith("." + value)
    return False


def _parse_target(target: str) -> tuple[str, t.Any]:
    host = host_from_target(target)
    try:
        return host, ipaddress.ip_address(host)
    except ValueError:
        return host, None


def _check_port_filter(port: t.Any, protocol: t.Optional[str]) -> t.Optional[int]:
    if protocol is not None and protocol not in ("tcp", "udp"):
        raise ValueError(f"invalid protocol {protocol!r}: expected one of tcp, udp")
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, (int, str)) or not is_decimal(str(port)):
        raise ValueError(f"invalid port {port!r}: expected a number from 1 to 65535")
    number = int(port)
    if not 1 <= number <= 65535:
        raise ValueError(f"invalid port {port!r}: expected a number from 1 to 65535")
    return number


def _entry_matches(entry: t.Any, host: str, ip: t.Any, port: t.Optional[int], protocol: t.Optional[str]) -> bool:
    kind, value = parse_entry_host(_entry_host(entry))
    if not _host_matches(kind, value, host, ip):
        return False
    if port is None:
        return True
    if not isinstance(entry, t.Mapping):
        raise ValueError(f"cannot match port {port} against the bare host {entry!r}: pass catalog entries")
    protocols = (protocol,) if protocol else ("tcp", "udp")
    return any(_port_listed(entry.get(proto) or (), port) for proto in protocols)


def matches(entry: t.Any, target: str, port: t.Any = None, protocol: t.Optional[str] = None) -> bool:
    """Whether ``entry`` (a catalog entry or a bare host string) allows ``target``.

    With ``port`` (and optionally ``protocol``), the entry must also list that port.
    """
    host, ip = _parse_target(target)
    return _entry_matches(entry, host, ip, _check_port_filter(port, protocol), protocol)


def match(entries: t.Iterable[t.Any], target: str, port: t.Any = None, protocol: t.Optional[str] = None) -> list:
    """Return the entries of ``entries`` that allow ``target`` (in their original order)."""
    host, ip = _parse_target(target)
    number = _check_port_filter(port, protocol)
    return [entry for entry in entries if _entry_matches(entry, host, ip, number, protocol)]

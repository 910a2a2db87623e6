# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Catalog entries (plus user extras, minus exclusions) to the allow-list model every renderer starts from.

The model is specified in docs/catalog-format.md. Every host, port and name that reaches the model has passed the
checks of the ``validate_*`` functions here, so renderers may paste them into configuration files verbatim.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import typing as t

from ansible_collections.netallow.apple.plugins.module_utils._stamp import make_stamp
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import (
    PortSyntaxError,
    forbidden_char,
    format_port,
    is_decimal,
    is_network_syntax,
    normalize_hostname,
    parse_network,
    parse_port,
    port_bounds,
    split_wildcard,
)

try:
    import netaddr
except ImportError:  # pragma: no cover - reported when build_allowlist needs it
    netaddr = None

__all__ = (
    "AllowlistError",
    "EXTRA_ENTRY_KEYS",
    "build_allowlist",
    "check_model",
    "compress_ports",
    "expand_ports",
    "group_name",
    "host_kind",
    "object_name",
    "object_names",
    "port_intervals",
    "validate_entry",
    "validate_host",
    "validate_port",
    "validate_ports",
)

PROTOCOLS = ("tcp", "udp")

_HOST_HELP = (
    "a host name (letters, digits, hyphens and dots), a wildcard '*.<domain>' or a CIDR such as 17.0.0.0/8 or"
    " 2620:149::/32"
)
_PORT_HELP = "a port number from 1 to 65535 or a range 'low-high' with 1 <= low < high <= 65535"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/*-]{0,199}\Z")
_SECTION_RE = re.compile(r"^[a-z0-9_]{1,64}\Z")

# Keys a user extra may carry: the catalog entry's public keys (docs/catalog-format.md) and the derived ones.
EXTRA_ENTRY_KEYS = frozenset(
    (
        "id", "section", "service", "host", "tcp", "udp", "platforms", "proxy", "required", "description", "status",
        "added", "last_seen", "removed", "renamed_to", "sources", "probe", "notes", "history", "kind", "domain",
        "family",
    )
)


class AllowlistError(ValueError):
    """Invalid input for the allow-list model; the message names the value and what is allowed."""


# ---------------------------------------------------------------------------------------------------- validation
def validate_host(host: t.Any) -> str:
    """Return the canonical form of an entry host, or raise AllowlistError naming it.

    FQDNs come back lower case without a trailing dot (Unicode labels IDNA-encoded), wildcards as ``*.<domain>``,
    CIDRs in canonical network form; a bare IP address becomes a /32 or /128 CIDR. Host bits set in a CIDR, a
    ``*`` anywhere but as the whole first label, a wildcard over a top-level domain and any character outside
    host-name syntax are rejected.
    """
    if not isinstance(host, str):
        raise AllowlistError(f"invalid host {host!r}: expected a string, {_HOST_HELP}")
    return _validate_host_text(str(host))


@functools.lru_cache(maxsize=8192)
def _validate_host_text(host: str) -> str:
    # Cached: the same catalog hosts are checked on every build; a failure raises and is not cached.
    bad = forbidden_char(host)
    if bad:
        raise AllowlistError(f"invalid host {host!r}: contains {bad}; expected {_HOST_HELP}")
    if not host:
        raise AllowlistError(f"invalid host {host!r}: empty; expected {_HOST_HELP}")
    if is_network_syntax(host, "digits"):
        try:
            network = parse_network(host)
        except ValueError as exc:
            raise AllowlistError(f"invalid host {host!r}: {exc}; expected {_HOST_HELP}") from None
        return network.with_prefixlen
    wildcard, name = split_wildcard(host)
    if "*" in name:
        raise AllowlistError(
            f"invalid host {host!r}: '*' is only allowed as the whole first label ('*.<domain>'); expected {_HOST_HELP}"
        )
    try:
        # One trailing dot is the same name (normalize_hostname drops it); a second one is an empty label.
        normalized = normalize_hostname(name)
    except ValueError as exc:
        raise AllowlistError(f"invalid host {host!r}: {exc}; expected {_HOST_HELP}") from None
    labels = normalized.split(".")
    if is_decimal(labels[-1]):
        raise AllowlistError(f"invalid host {host!r}: the last label is numeric; expected {_HOST_HELP}")
    if len(labels) < 2:
        what = "a wildcard over a top-level domain" if wildcard else "a single-label name"
        raise AllowlistError(f"invalid host {host!r}: {what} is not allowed; expected {_HOST_HELP}")
    return "*." + normalized if wildcard else normalized


def host_kind(host: str) -> str:
    """Kind of an already validated host: ``fqdn``, ``wildcard`` or ``cidr``."""
    if split_wildcard(host)[0]:
        return "wildcard"
    if "/" in host:
        return "cidr"
    return "fqdn"


def validate_port(port: t.Any) -> t.Union[int, str]:
    """Return a port as an int, or a range as ``"low-high"``; raise AllowlistError naming a bad value."""
    if isinstance(port, str):
        bad = forbidden_char(port.strip())
        if bad:
            raise AllowlistError(f"invalid port {port!r}: contains {bad}; expected {_PORT_HELP}")
    try:
        return format_port(parse_port(port, lenient_range=True))
    except PortSyntaxError as exc:
        if exc.reason == "out_of_range":
            raise AllowlistError(f"invalid port {port!r}: out of range; expected {_PORT_HELP}") from None
        if exc.reason == "range_out_of_range":
            raise AllowlistError(f"invalid port range {port!r}: out of range; expected {_PORT_HELP}") from None
        if exc.reason == "range_order":
            raise AllowlistError(
                f"invalid port range {port!r}: low must be below high; expected {_PORT_HELP}") from None
        raise AllowlistError(f"invalid port {port!r}: expected {_PORT_HELP}") from None


def validate_ports(ports: t.Any, what: str = "ports") -> list:
    """Validate a list of ports (``what`` names the field in errors, e.g. ``tcp of extra.example.com``)."""
    if ports is None:
        return []
    if isinstance(ports, (str, int)) and not isinstance(ports, bool):
        raise AllowlistError(f"invalid {what} {ports!r}: expected a list of ports, each {_PORT_HELP}")
    if not isinstance(ports, (list, tuple)):
        raise AllowlistError(f"invalid {what} {ports!r}: expected a list of ports, each {_PORT_HELP}")
    result = []
    for port in ports:
        try:
            result.append(validate_port(port))
        except AllowlistError as exc:
            raise AllowlistError(f"{exc} (in {what})") from None
    return result


def _validate_text(value: t.Any, what: str) -> None:
    texts = value.values() if isinstance(value, t.Mapping) else [value]
    for text in texts:
        if text is None:
            continue
        if not isinstance(text, str):
            raise AllowlistError(f"invalid {what} {value!r}: expected a string or a mapping of language to string")
        for char in text:
            if (ord(char) < 32 and char != "\t") or ord(char) == 127:
                raise AllowlistError(f"invalid {what} {text!r}: contains the control character {char!r}")


def _default_id(section: str, host: str) -> str:
    if host.startswith("*."):
        return f"{section}.{host[2:]}-wildcard"
    return f"{section}.{host.replace('/', '-')}"


def validate_entry(entry: t.Any, index: t.Optional[int] = None) -> dict:
    """Validate a user extra entry and return it normalised.

    Required: ``host``, ``tcp``, ``udp`` (at least one port in all). Optional: ``id`` (default
    ``<section>.<host>``), ``section`` (default ``extra``), ``description`` and the other catalog entry keys.
    """
    where = "extra entry" if index is None else f"extra entry #{index + 1}"
    if not isinstance(entry, t.Mapping):
        raise AllowlistError(f"invalid {where} {entry!r}: expected a mapping with host and tcp and/or udp")
    unknown = sorted(str(key) for key in entry if key not in EXTRA_ENTRY_KEYS)
    if unknown:
        raise AllowlistError(
            f"invalid {where}: unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(EXTRA_ENTRY_KEYS))}"
        )
    if "host" not in entry:
        raise AllowlistError(f"invalid {where} {dict(entry)!r}: missing required key host")
    try:
        host = validate_host(entry["host"])
    except AllowlistError as exc:
        raise AllowlistError(f"{exc} (in {where})") from None
    section = entry.get("section") or "extra"
    if not isinstance(section, str) or not _SECTION_RE.match(section):
        raise AllowlistError(f"invalid section {section!r} in {where}: expected 1-64 characters of a-z, 0-9 and '_'")
    entry_id = entry.get("id") or _default_id(section, host)
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        raise AllowlistError(
            f"invalid id {entry_id!r} in {where}: expected up to 200 characters of letters, digits and . _ - : / *,"
            " starting with a letter or digit"
        )
    # tcp and udp are optional, as in the roles' argument specs; at least one port is needed in all.
    tcp = validate_ports(entry.get("tcp", []), f"tcp of {where} {host}")
    udp = validate_ports(entry.get("udp", []), f"udp of {where} {host}")
    if not tcp and not udp:
        raise AllowlistError(f"invalid {where} {host!r}: no ports; give at least one tcp or udp port")
    if "description" in entry:
        _validate_text(entry["description"], f"description of {where} {host}")
    result = dict(entry)
    result.update(id=entry_id, section=section, host=host, tcp=tcp, udp=udp, kind=host_kind(host))
    result.setdefault("description", {"en": f"User extra entry for {host}"})
    return result


# ---------------------------------------------------------------------------------------------------- ports
def port_intervals(ports: t.Iterable[t.Union[int, str]]) -> list:
    """Validated ports → sorted, merged ``(low, high)`` intervals (adjacent and overlapping ones joined)."""
    spans = sorted(port_bounds(port) for port in ports)
    merged: list = []
    for low, high in spans:
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def compress_ports(ports: t.Iterable[t.Union[int, str]]) -> list:
    """Validated ports → sorted list of ints and ``"low-high"`` strings, adjacent ports compressed into ranges."""
    return [low if low == high else f"{low}-{high}" for low, high in port_intervals(ports)]


def expand_ports(ports: t.Iterable[t.Union[int, str]]) -> list:
    """Validated ports (ints and ranges) → sorted list of every port number."""
    return [port for low, high in port_intervals(ports) for port in range(low, high + 1)]


def group_name(protocol: str, ports: t.Iterable[t.Union[int, str]]) -> str:
    """``tcp`` + ``[80, 443, "8000-8999"]`` → ``tcp_80_443_8000_8999``."""
    return "_".join([protocol] + [str(port).replace("-", "_") for port in ports])


# ---------------------------------------------------------------------------------------------------- collapsing
def _collapse_names(fqdns: t.Iterable[str], wildcards: t.Iterable[str]) -> tuple:
    """Drop wildcards nested in another wildcard and fqdns covered by a wildcard; return sorted lists."""
    kept_wildcards: list = []
    # Shorter domains first: a nested wildcard always comes after the one that covers it.
    for domain in sorted(set(wildcards), key=lambda name: (name.count("."), name)):
        if not _covered(domain, kept_wildcards):
            kept_wildcards.append(domain)
    covering = set(kept_wildcards)
    kept_fqdns = sorted(name for name in set(fqdns) if not _covered_by_set(name, covering))
    return kept_fqdns, sorted(kept_wildcards)


def _covered(name: str, domains: t.Iterable[str]) -> bool:
    return any(name.endswith("." + domain) for domain in domains)


def _covered_by_set(name: str, domains: t.AbstractSet[str]) -> bool:
    # Walk the name's parent domains: cost is the label count, not the wildcard count.
    rest = name
    while "." in rest:
        rest = rest.split(".", 1)[1]
        if rest in domains:
            return True
    return False


def _merge_cidrs(cidrs: t.Iterable[str]) -> list:
    if netaddr is None:
        raise AllowlistError("the Python library netaddr is required to merge CIDRs: pip install netaddr")
    return [str(network) for network in netaddr.cidr_merge(list(cidrs))]


def _split_cidrs(cidrs: t.Iterable[str]) -> tuple:
    v4 = [cidr for cidr in cidrs if ":" not in cidr]
    v6 = [cidr for cidr in cidrs if ":" in cidr]
    return _merge_cidrs(v4), _merge_cidrs(v6)


# ---------------------------------------------------------------------------------------------------- model
def _as_list(value: t.Any, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes, t.Mapping)):
        raise AllowlistError(f"invalid {what} {value!r}: expected a list")
    try:
        return list(value)
    except TypeError:
        raise AllowlistError(f"invalid {what} {value!r}: expected a list") from None


def _catalog_entry(entry: t.Any, index: int) -> dict:
    """Check a catalog (lookup) entry with the same injection checks as extras; keys beyond ours are kept."""
    if not isinstance(entry, t.Mapping):
        raise AllowlistError(f"invalid entry #{index + 1} {entry!r}: expected a catalog entry (a mapping)")
    entry_id = entry.get("id")
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        raise AllowlistError(f"invalid id {entry_id!r} of entry #{index + 1}: expected letters, digits and . _ - : / *")
    section = entry.get("section")
    if not isinstance(section, str) or not _SECTION_RE.match(section):
        raise AllowlistError(f"invalid section {section!r} of entry {entry_id}: expected a-z, 0-9 and '_'")
    try:
        host = validate_host(entry.get("host"))
    except AllowlistError as exc:
        raise AllowlistError(f"{exc} (in entry {entry_id})") from None
    result = dict(entry)
    result.update(
        host=host,
        tcp=validate_ports(entry.get("tcp"), f"tcp of entry {entry_id}"),
        udp=validate_ports(entry.get("udp"), f"udp of entry {entry_id}"),
        kind=host_kind(host),
    )
    return result


def _excluded_by_host(pattern: str, host: str) -> bool:
    """Whether an ``exclude_hosts`` item removes an entry: equal host, or covered by a wildcard/CIDR pattern."""
    if pattern == host:
        return True
    pattern_kind, kind = host_kind(pattern), host_kind(host)
    if pattern_kind == "wildcard" and kind in ("fqdn", "wildcard"):
        return host.lstrip("*").lstrip(".").endswith("." + pattern[2:])
    if pattern_kind == "cidr" and kind == "cidr":
        outer, inner = ipaddress.ip_network(pattern), ipaddress.ip_network(host)
        return outer.version == inner.version and inner.subnet_of(outer)
    return False


def _apply_exclusions(entries: list, exclude_ids: list, exclude_sections: list, exclude_hosts: list) -> list:
    ids = {entry["id"] for entry in entries}
    sections = {entry["section"] for entry in entries}
    for entry_id in exclude_ids:
        if entry_id not in ids:
            raise AllowlistError(
                f"unknown entry id {entry_id!r} in exclude_ids; valid ids: {', '.join(sorted(ids)) or '(none)'}"
            )
    for section in exclude_sections:
        if section not in sections:
            # A known section outside the selection is refused too: leaving it out would silently do nothing.
            raise AllowlistError(
                f"section {section!r} in exclude_sections is not in the selection, so there is nothing to leave out;"
                f" sections in the selection: {', '.join(sorted(sections)) or '(none)'}"
            )
    patterns = []
    for host in exclude_hosts:
        try:
            patterns.append((host, validate_host(host)))
        except AllowlistError as exc:
            raise AllowlistError(f"{exc} (in exclude_hosts)") from None
    for original, pattern in patterns:
        if not any(_excluded_by_host(pattern, entry["host"]) for entry in entries):
            hint = ""
            covering = [
                entry["host"] for entry in entries
                if entry["kind"] == "wildcard" and host_kind(pattern) == "fqdn" and pattern.endswith(entry["host"][1:])
            ]
            if covering:
                hint = f"; it is covered by {', '.join(sorted(set(covering)))}, which can only be excluded as a whole"
            raise AllowlistError(f"exclude_hosts item {original!r} matches no entry{hint}")
    drop_ids, drop_sections = set(exclude_ids), set(exclude_sections)
    return [
        entry for entry in entries
        if entry["id"] not in drop_ids
        and entry["section"] not in drop_sections
        and not any(_excluded_by_host(pattern, entry["host"]) for _original, pattern in patterns)
    ]


def build_allowlist(
    entries: t.Iterable[t.Mapping],
    extra: t.Iterable[t.Mapping] = (),
    exclude_ids: t.Iterable[str] = (),
    exclude_sections: t.Iterable[str] = (),
    exclude_hosts: t.Iterable[str] = (),
    catalog_version: t.Optional[str] = None,
) -> dict:
    """Build the allow-list model (docs/catalog-format.md) from catalog entries, user extras and exclusions.

    The model's ``stamp`` records ``catalog_version`` and a digest of the kept entries, for every renderer's header
    (see ``plugins/module_utils/_stamp.py``).

    Entries are used as given (select current ones with the lookup). ``exclude_ids`` and ``exclude_sections``
    must name ids/sections present in entries + extras; each ``exclude_hosts`` item must remove at least one
    entry (equal host, or an fqdn/wildcard under a wildcard item, or a CIDR inside a CIDR item).
    """
    checked = [_catalog_entry(entry, index) for index, entry in enumerate(_as_list(entries, "entries"))]
    checked += [validate_entry(entry, index) for index, entry in enumerate(_as_list(extra, "extra"))]
    seen: dict = {}
    for entry in checked:
        if entry["id"] in seen and seen[entry["id"]] != entry["host"]:
            raise AllowlistError(
                f"duplicate entry id {entry['id']!r} for hosts {seen[entry['id']]} and {entry['host']}"
            )
        seen[entry["id"]] = entry["host"]
    kept = _apply_exclusions(
        checked,
        [str(item) for item in _as_list(exclude_ids, "exclude_ids")],
        [str(item) for item in _as_list(exclude_sections, "exclude_sections")],
        _as_list(exclude_hosts, "exclude_hosts"),
    )

    buckets: dict = {}
    all_ports: dict = {protocol: [] for protocol in PROTOCOLS}
    for entry in kept:
        for protocol in PROTOCOLS:
            ports = entry[protocol]
            if not ports:
                continue
            key = (protocol, tuple(port_intervals(ports)))
            bucket = buckets.setdefault(key, {"fqdn": set(), "wildcard": set(), "cidr": set(), "ids": set()})
            host = entry["host"]
            bucket[entry["kind"]].add(host[2:] if entry["kind"] == "wildcard" else host)
            bucket["ids"].add(entry["id"])
            all_ports[protocol].extend(ports)

    groups = []
    union: dict = {"fqdn": set(), "wildcard": set(), "cidr": set()}
    for protocol, intervals in sorted(buckets):
        bucket = buckets[(protocol, intervals)]
        ports = [low if low == high else f"{low}-{high}" for low, high in intervals]
        fqdns, wildcards = _collapse_names(bucket["fqdn"], bucket["wildcard"])
        cidrs4, cidrs6 = _split_cidrs(bucket["cidr"])
        groups.append(
            {
                "name": group_name(protocol, ports),
                "protocol": protocol,
                "ports": ports,
                "fqdns": fqdns,
                "wildcards": wildcards,
                "cidrs4": cidrs4,
                "cidrs6": cidrs6,
                "entry_ids": sorted(bucket["ids"]),
            }
        )
        for kind in union:
            union[kind] |= bucket[kind]

    fqdns, wildcards = _collapse_names(union["fqdn"], union["wildcard"])
    cidrs4, cidrs6 = _split_cidrs(union["cidr"])
    return {
        "groups": groups,
        "fqdns": fqdns,
        "wildcards": wildcards,
        "cidrs4": cidrs4,
        "cidrs6": cidrs6,
        "ports": {protocol: compress_ports(all_ports[protocol]) for protocol in PROTOCOLS},
        "entry_count": len(kept),
        "stamp": make_stamp(kept, catalog_version),
    }


# ---------------------------------------------------------------------------------------------------- model check
_MODEL_HELP = "the allow-list model made by netallow.apple.to_allowlist"


def _model_names(values: t.Any, kind: str, where: str, error: type) -> None:
    if not isinstance(values, (list, tuple)):
        raise error(f"{where} {values!r} is not a list; expected {_MODEL_HELP}")
    for value in values:
        text = "*." + value if kind == "wildcard" and isinstance(value, str) else value
        try:
            canonical = validate_host(text)
        except AllowlistError as exc:
            raise error(f"{where} holds {value!r}, which is not valid ({exc}); expected {_MODEL_HELP}") from None
        family_ok = kind != "cidr4" or ":" not in canonical
        family_ok = family_ok and (kind != "cidr6" or ":" in canonical)
        if canonical != text or host_kind(canonical) != kind.rstrip("46") or not family_ok:
            raise error(f"{where} holds {value!r}, which is not a canonical {kind} value; expected {_MODEL_HELP}")


def check_model(model: t.Any, error: type = AllowlistError) -> None:
    """Refuse a model that :func:`build_allowlist` could not have made, naming the first bad value.

    Renderers paste the model's names, CIDRs and ports into configuration files verbatim, so a hand-made model is
    checked against the same rules as the catalog and the user's extras before anything is rendered. ``error`` is
    the calling renderer's exception class (a ValueError).
    """
    if not isinstance(model, t.Mapping) or not isinstance(model.get("groups"), list):
        raise error(f"the input is not {_MODEL_HELP} (a dict with 'groups'), got {type(model).__name__}")
    for kind, key in (("fqdn", "fqdns"), ("wildcard", "wildcards"), ("cidr4", "cidrs4"), ("cidr6", "cidrs6")):
        _model_names(model.get(key) or [], kind, f"model {key}", error)
    count = model.get("entry_count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise error(f"model entry_count {count!r} is not a count; expected {_MODEL_HELP}")
    for index, group in enumerate(model["groups"]):
        where = f"model group #{index + 1}"
        if not isinstance(group, t.Mapping):
            raise error(f"{where} {group!r} is not a mapping; expected {_MODEL_HELP}")
        missing = [key for key in ("name", "protocol", "ports") if key not in group]
        if missing:
            raise error(f"{where} lacks {', '.join(missing)}; expected {_MODEL_HELP}")
        if group["protocol"] not in PROTOCOLS:
            raise error(f"{where} protocol {group['protocol']!r} is not valid (valid values: {', '.join(PROTOCOLS)});"
                        f" expected {_MODEL_HELP}")
        ports = group["ports"]
        if not isinstance(ports, (list, tuple)) or not ports:
            raise error(f"{where} ports {ports!r} is not a list of ports; expected {_MODEL_HELP}")
        for port in ports:
            try:
                canonical_port = validate_port(port)
            except AllowlistError as exc:
                raise error(f"{where}: {exc}; expected {_MODEL_HELP}") from None
            if canonical_port != port:
                raise error(f"{where} port {port!r} is not in canonical form; expected {_MODEL_HELP}")
        if group["name"] != group_name(group["protocol"], ports):
            raise error(f"{where} name {group['name']!r} does not match its protocol and ports (that is "
                        f"{group_name(group['protocol'], ports)!r}); expected {_MODEL_HELP}")
        for kind, key in (("fqdn", "fqdns"), ("wildcard", "wildcards"), ("cidr4", "cidrs4"), ("cidr6", "cidrs6")):
            _model_names(group.get(key) or [], kind, f"{where} {key}", error)
        for entry_id in group.get("entry_ids") or []:
            if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
                raise error(f"{where} entry id {entry_id!r} is not valid; expected {_MODEL_HELP}")


# ---------------------------------------------------------------------------------------------------- object names
_DEFAULT_RULES = {
    "max_length": 63,
    "allowed": "A-Za-z0-9_.-",
    "replacement": None,
    "prefix": "",
    "wildcard_prefix": "wildcard.",
    "case": "keep",
    "hash_length": 8,
    "hash_separator": None,
}


def _rules(vendor_rules: t.Optional[t.Mapping]) -> dict:
    rules = dict(_DEFAULT_RULES)
    if vendor_rules:
        unknown = sorted(set(vendor_rules) - set(_DEFAULT_RULES))
        if unknown:
            raise AllowlistError(
                f"unknown object name rule(s) {', '.join(unknown)}; valid rules: {', '.join(sorted(_DEFAULT_RULES))}"
            )
        rules.update(vendor_rules)
    if rules["case"] not in ("keep", "lower", "upper"):
        raise AllowlistError(f"invalid object name rule case={rules['case']!r}; valid: keep, lower, upper")
    return rules


def object_name(host: str, vendor_rules: t.Optional[t.Mapping] = None) -> str:
    """A vendor-valid, stable object name for a validated host.

    ``vendor_rules`` (all optional): ``max_length`` (63), ``allowed`` (regex character-class body of allowed
    characters, ``A-Za-z0-9_.-``), ``replacement`` (for characters outside ``allowed``: ``_`` when allowed, else
    ``-``), ``prefix`` (put in front, e.g. ``apple_``), ``wildcard_prefix`` (``wildcard.``, replaces ``*.``),
    ``case`` (keep/lower/upper), ``hash_length`` (8), ``hash_separator`` (``_`` when allowed, else ``-``).

    The name is ``prefix + host`` when that is valid and short enough. Otherwise (a character had to be replaced,
    the wildcard or CIDR notation rewritten, or the name truncated) it ends in ``<separator><hash>``, a SHA-256
    prefix of the host: such names differ from every verbatim one (a host name never contains ``_``) and from
    each other, so names stay unique within one max length and stable across runs.
    """
    rules = _rules(vendor_rules)
    try:
        allowed = re.compile(f"[^{rules['allowed']}]")
    except re.error as exc:
        raise AllowlistError(f"invalid object name rule allowed={rules['allowed']!r}: {exc}") from None
    # "_" never occurs in a host name, so a suffix or replacement using it cannot recreate a verbatim name.
    fallback = "_" if not allowed.search("_") else "-"
    separator = fallback if rules["hash_separator"] is None else str(rules["hash_separator"])
    replacement = fallback if rules["replacement"] is None else str(rules["replacement"])
    hash_length = int(rules["hash_length"])
    max_length = int(rules["max_length"])
    prefix = str(rules["prefix"])
    if max_length < len(prefix) + len(separator) + hash_length + 1:
        raise AllowlistError(f"object name rule max_length={max_length} is too short for prefix and hash suffix")

    def fold(text: str) -> str:
        if rules["case"] == "lower":
            return text.lower()
        if rules["case"] == "upper":
            return text.upper()
        return text

    base = host
    if host.startswith("*."):
        base = str(rules["wildcard_prefix"]) + host[2:]
    candidate = fold(prefix + base)
    cleaned = allowed.sub(replacement, candidate)
    if allowed.search(prefix) or allowed.search(replacement) or allowed.search(separator):
        raise AllowlistError(
            f"object name rules: prefix {prefix!r}, replacement {replacement!r} or separator"
            f" {separator!r} use characters outside allowed [{rules['allowed']}]"
        )
    verbatim = base == host and cleaned == candidate and len(cleaned) <= max_length
    if verbatim:
        return cleaned
    digest = hashlib.sha256(host.encode("utf-8")).hexdigest()[:hash_length]
    digest = fold(digest)
    keep = max_length - len(separator) - hash_length
    return cleaned[:keep] + separator + digest


def object_names(hosts: t.Iterable[str], vendor_rules: t.Optional[t.Mapping] = None) -> dict:
    """``{host: object_name(host)}`` for several hosts; raises AllowlistError if two hosts share a name."""
    names: dict = {}
    owners: dict = {}
    for host in hosts:
        name = object_name(host, vendor_rules)
        other = owners.get(name.lower())
        if other is not None and other != host:
            raise AllowlistError(f"object name {name!r} is shared by {other!r} and {host!r}; raise hash_length")
        owners[name.lower()] = host
        names[host] = name
    return names

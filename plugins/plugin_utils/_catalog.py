# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The catalog core: load ``vars/catalog.yml`` once, check it, and select entries.

This module is the only code that knows the catalog's file format. Everything else (the ``endpoints`` lookup, the
allow-list model, the reachability action plugin, the roles) asks it for entries as plain dicts.

The functions here are pure apart from :func:`load_catalog`, which reads the file and caches the parsed result per
path, file size and modification time, so repeated lookups in one play cost a dictionary access.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import yaml

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import (
    BROAD_SCOPES,
    ENTRY_SECTIONS,
    HISTORY_STATUSES,
    KINDS,
    LANGUAGES,
    PLATFORMS,
    PORT_BASES,
    PORT_SECTIONS,
    PROTOCOLS,
    SCOPES,
    SECTIONS,
)
from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import ENTRY_STATUSES as STATUSES
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import (
    PortSyntaxError,
    format_port,
    is_fqdn,
    is_network_syntax,
    parse_network,
    split_wildcard,
)
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import parse_port as _parse_port_syntax

try:  # the C loader is several times faster on the whole catalog
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

CATALOG_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "vars",
                            "catalog.yml")

OUTPUTS = ("entries", "hosts", "fqdns", "wildcards", "cidrs", "ports", "ids")
# Outputs that describe the catalog itself rather than the selected entries.
CATALOG_OUTPUTS = ("info", "sections", "sources", "port_rows", "processes")
# The change feed: what Apple added, removed, renamed or changed, newest first (see :func:`changes`).
CHANGE_KINDS = ("added", "removed", "renamed", "changed")

ENTRY_KEYS = ("id", "section", "service", "host", "scope", "tcp", "udp", "port_basis", "platforms", "proxy",
              "required", "description", "status", "added", "last_seen", "removed", "renamed_to", "sources", "probe",
              "no_probe_reason", "notes", "history")
_REQUIRED_ENTRY_KEYS = ("id", "section", "service", "host", "scope", "tcp", "udp", "port_basis", "platforms", "proxy",
                        "required", "description", "status", "sources")
_PORT_KEYS = ("id", "section", "service", "tcp", "udp", "description", "status", "sources", "notes")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._:-]*\Z")
_SERVICE_RE = re.compile(r"^[a-z0-9_]+\Z")
_DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2})?\Z")
# When Apple listed, last listed or dropped an entry: a real month (the schema's "month").
_MONTH_RE = re.compile(r"(19|20)[0-9]{2}(-(0[1-9]|1[0-2]))?")
_TOP_KEYS = ("catalog_version", "updated", "sources", "sections", "entries", "ports", "processes")
# A text shown in reports and comments of rendered files: one line, bounded.
_MAX_TEXT = 300
_LINE_BREAKS = ("\n", "\r", "\t")
_VERSION_RE = re.compile(r"^([0-9]{4})\.([0-9]{1,2})\.([0-9]+)\Z")


class CatalogError(ValueError):
    """Raised for a catalog that breaks its own rules, or a selection that names unknown values."""


def parse_port(value: Any, where: str = "port") -> int | tuple[int, int]:
    """Return a port as an int, or a range as ``(low, high)``; raise :class:`CatalogError` naming a bad value.

    Accepts ints, digit strings and ``"low-high"`` strings. Booleans are refused: YAML turns ``yes`` into True,
    and True would otherwise pass as port 1.
    """
    try:
        return _parse_port_syntax(value)
    except PortSyntaxError as exc:
        if exc.reason == "out_of_range":
            raise CatalogError(f"{where}: port {value!r} is out of range 1-65535") from None
        if exc.reason in ("range_out_of_range", "range_order"):
            raise CatalogError(f"{where}: range {value!r} must satisfy 1 <= low < high <= 65535") from None
        raise CatalogError(
            f"{where}: {value!r} is not a port (expected an integer 1-65535 or a range 'low-high')") from None


def classify_host(host: Any, where: str = "host") -> tuple[str, str | None, int | None]:
    """Return ``(kind, domain, family)`` for a catalog host, or raise :class:`CatalogError`.

    ``kind`` is ``fqdn``, ``wildcard`` (``*.domain``; ``domain`` is the suffix without ``*.``) or ``cidr``
    (``family`` 4 or 6). Hosts must be lower case, without a trailing dot: the catalog is canonical data.
    """
    if not isinstance(host, str) or not host:
        raise CatalogError(f"{where}: {host!r} is not a host name, wildcard or CIDR")
    if is_network_syntax(host, "digits"):
        try:
            network = parse_network(host)
        except ValueError as exc:
            raise CatalogError(f"{where}: {host!r} is not a valid CIDR ({exc})") from exc
        if "/" not in host:
            raise CatalogError(f"{where}: {host!r} must be written as a CIDR with a prefix length")
        return "cidr", None, network.version
    wildcard, domain = split_wildcard(host)
    if wildcard:
        if not is_fqdn(domain):
            raise CatalogError(f"{where}: {host!r} is not a valid wildcard (expected '*.' followed by a domain name)")
        return "wildcard", domain, None
    if not is_fqdn(host):
        raise CatalogError(f"{where}: {host!r} is not a valid lower-case host name")
    return "fqdn", None, None


@dataclass(frozen=True)
class Catalog:
    """The parsed, checked catalog. ``entries`` are dicts with the derived keys ``kind``, ``domain``, ``family``."""

    version: str
    updated: str
    sources: Mapping[str, Any]
    sections: Mapping[str, Any]
    entries: tuple
    ports: tuple
    processes: tuple
    path: str = ""
    by_id: Mapping[str, Any] = field(default_factory=dict)
    services: tuple = ()


def _fail(errors: list[str]) -> None:
    if errors:
        shown = "\n  - ".join(errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise CatalogError(f"the catalog is invalid:\n  - {shown}{more}")


def _check_ports(item: Mapping[str, Any], where: str, errors: list[str]) -> None:
    for proto in PROTOCOLS:
        ports = item.get(proto)
        if not isinstance(ports, list):
            errors.append(f"{where}.{proto}: expected a list of ports, got {ports!r}")
            continue
        for port in ports:
            try:
                parse_port(port, f"{where}.{proto}")
            except CatalogError as exc:
                errors.append(str(exc))
        _check_unique(ports, f"{where}.{proto}", errors)


def _check_unique(values: list, where: str, errors: list[str]) -> None:
    seen = []
    for value in values:
        if value in seen:
            errors.append(f"{where}: {value!r} is listed twice")
            return
        seen.append(value)


def _check_text(value: Any, where: str, errors: list[str], need_en: bool) -> None:
    if not isinstance(value, dict):
        errors.append(f"{where}: expected a mapping of language to text, got {value!r}")
        return
    for lang, text in value.items():
        if lang not in LANGUAGES:
            errors.append(f"{where}: unknown language {lang!r} (valid: {', '.join(LANGUAGES)})")
        if not isinstance(text, str):
            errors.append(f"{where}.{lang}: expected text, got {text!r}")
        elif any(char in text for char in _LINE_BREAKS) or len(text) > _MAX_TEXT:
            errors.append(f"{where}.{lang}: {text[:40]!r}... must be one line of at most {_MAX_TEXT} characters")
    if need_en and not value.get("en"):
        errors.append(f"{where}: an English ('en') text is required")


def _check_common(item: Mapping[str, Any], where: str, sections: Mapping, sources: Mapping,
                  errors: list[str], kind_sections: tuple = ENTRY_SECTIONS) -> None:
    valid_sections = [key for key in kind_sections if key in sections]
    if item.get("section") not in valid_sections:
        errors.append(f"{where}.section: unknown section {item.get('section')!r} "
                      f"(valid: {', '.join(sorted(valid_sections))})")
    if not isinstance(item.get("service"), str) or not _SERVICE_RE.match(item["service"]):
        errors.append(f"{where}.service: {item.get('service')!r} must match [a-z0-9_]+")
    if item.get("status") not in STATUSES:
        errors.append(f"{where}.status: {item.get('status')!r} is not one of {', '.join(STATUSES)}")
    item_sources = item.get("sources")
    if not isinstance(item_sources, list) or not item_sources:
        errors.append(f"{where}.sources: at least one source key is required")
    else:
        for key in item_sources:
            if key not in sources:
                errors.append(f"{where}.sources: unknown source {key!r}")
        _check_unique(item_sources, f"{where}.sources", errors)
    _check_ports(item, where, errors)
    _check_text(item.get("description"), f"{where}.description", errors,
                need_en=item.get("status") in ("current", "unverified"))


def _check_entry(entry: Any, index: int, sections: Mapping, sources: Mapping, errors: list[str]) -> None:
    where = f"entries[{index}]"
    if not isinstance(entry, dict):
        errors.append(f"{where}: expected a mapping, got {type(entry).__name__}")
        return
    if isinstance(entry.get("id"), str):
        where = f"entries[{entry['id']}]"
    missing = [k for k in _REQUIRED_ENTRY_KEYS if k not in entry]
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if missing:
        errors.append(f"{where}: missing keys {', '.join(missing)}")
    if unknown:
        errors.append(f"{where}: unknown keys {', '.join(unknown)} (valid: {', '.join(ENTRY_KEYS)})")
    if missing:
        return
    if not isinstance(entry["id"], str) or not _ID_RE.match(entry["id"]):
        errors.append(f"{where}.id: {entry['id']!r} must match {_ID_RE.pattern}")
    try:
        kind, _domain, _family = classify_host(entry["host"], f"{where}.host")
    except CatalogError as exc:
        errors.append(str(exc))
        kind = None
    _check_common(entry, where, sections, sources, errors)
    platforms = entry["platforms"]
    if not isinstance(platforms, list) or any(p not in PLATFORMS for p in platforms):
        errors.append(f"{where}.platforms: {platforms!r} must be a list drawn from {', '.join(PLATFORMS)}")
    else:
        _check_unique(platforms, f"{where}.platforms", errors)
    if entry["proxy"] not in (True, False, None):
        errors.append(f"{where}.proxy: {entry['proxy']!r} must be true, false or null")
    if not isinstance(entry["required"], bool):
        errors.append(f"{where}.required: {entry['required']!r} must be true or false")
    if not entry["tcp"] and not entry["udp"]:
        errors.append(f"{where}: an entry needs at least one TCP or UDP port")
    if entry["scope"] not in SCOPES:
        errors.append(f"{where}.scope: {entry['scope']!r} is not one of {', '.join(SCOPES)}")
    elif kind is not None and (entry["scope"] == "host") != (kind == "fqdn"):
        errors.append(f"{where}.scope: {entry['scope']!r} does not fit a {kind} (a host name is scope 'host', "
                      "a wildcard or CIDR is 'domain', 'shortcut' or 'platform')")
    if entry["port_basis"] not in PORT_BASES:
        errors.append(f"{where}.port_basis: {entry['port_basis']!r} is not one of {', '.join(PORT_BASES)}")
    for key in ("added", "last_seen", "removed"):
        value = entry.get(key)
        if value is not None and not (isinstance(value, str) and _MONTH_RE.fullmatch(value)):
            errors.append(f"{where}.{key}: {value!r} must be YYYY or YYYY-MM (quoted)")
    probe = entry.get("probe")
    if probe is not None:
        try:
            if classify_host(probe, f"{where}.probe")[0] != "fqdn":
                errors.append(f"{where}.probe: {probe!r} must be a concrete host name")
        except CatalogError as exc:
            errors.append(str(exc))
        if kind == "wildcard" and probe is not None and not probe.endswith("." + entry["host"][2:]):
            errors.append(f"{where}.probe: {probe!r} is not a name under {entry['host']!r}")
    reason = entry.get("no_probe_reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip() or probe is not None):
        errors.append(f"{where}.no_probe_reason: {reason!r} must be a text, and only on an entry without a probe")
    if kind == "wildcard" and entry["status"] in ("current", "unverified") and probe is None and reason is None:
        errors.append(f"{where}: a wildcard needs a probe name under it, or no_probe_reason saying why there is none "
                      "(the bare domain is never probed in its place)")
    if entry["status"] not in HISTORY_STATUSES and (entry.get("removed") or entry.get("renamed_to")):
        errors.append(f"{where}: a {entry['status']} entry has no removed date and no renamed_to")
    if entry["status"] in HISTORY_STATUSES and not entry.get("removed"):
        errors.append(f"{where}.removed: a {entry['status']} entry needs the date it was removed or renamed")
    history = entry.get("history")
    if history is not None:
        if not isinstance(history, list):
            errors.append(f"{where}.history: expected a list of {{date, change, detail}}, got {history!r}")
            history = []
        for index, event in enumerate(history):
            if not isinstance(event, dict) or set(event) != {"date", "change", "detail"}:
                errors.append(f"{where}.history[{index}]: expected exactly the keys date, change, detail")
                continue
            if not (isinstance(event["date"], str) and _DATE_RE.match(event["date"])):
                errors.append(f"{where}.history[{index}].date: {event['date']!r} must be YYYY or YYYY-MM (quoted)")
            if event["change"] != "changed":
                errors.append(f"{where}.history[{index}].change: {event['change']!r} must be 'changed' (additions, "
                              "removals and renames are the entry's added, removed and renamed_to fields)")
            if not isinstance(event["detail"], str) or not event["detail"]:
                errors.append(f"{where}.history[{index}].detail: a short text is required")


def _derive(entry: dict) -> dict:
    kind, domain, family = classify_host(entry["host"])
    derived = {key: entry.get(key) for key in ENTRY_KEYS}
    derived["tcp"] = [format_port(parse_port(p)) for p in entry["tcp"]]
    derived["udp"] = [format_port(parse_port(p)) for p in entry["udp"]]
    derived["platforms"] = list(entry["platforms"])
    derived["sources"] = list(entry["sources"])
    derived["description"] = dict(entry["description"])
    derived["history"] = [dict(event) for event in entry.get("history") or ()]
    derived.update(kind=kind, domain=domain, family=family, broad=is_broad(entry))
    return derived


def is_broad(entry: Mapping[str, Any]) -> bool:
    """Whether an entry admits more than Apple lists for one service: a shortcut, a platform, or inferred ports."""
    return entry.get("scope") in BROAD_SCOPES or entry.get("port_basis") == "inferred"


def build_catalog(raw: Any, path: str = "") -> Catalog:
    """Check a parsed catalog document and return a :class:`Catalog`; raise :class:`CatalogError` listing faults."""
    if not isinstance(raw, dict):
        raise CatalogError(f"the catalog {path or ''} must be a mapping at the top level")
    errors: list[str] = []
    for key in ("catalog_version", "sources", "sections", "entries"):
        if key not in raw:
            errors.append(f"missing top-level key {key!r}")
    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        errors.append(f"unknown top-level keys {', '.join(unknown)} (valid: {', '.join(_TOP_KEYS)})")
    _fail(errors)
    sections, sources = raw["sections"], raw["sources"]
    if not isinstance(sections, dict) or not isinstance(sources, dict):
        raise CatalogError("'sections' and 'sources' must be mappings")
    unknown = [key for key in sections if key not in SECTIONS]
    if unknown:
        errors.append(f"sections: unknown section {', '.join(map(repr, unknown))} (valid: {', '.join(SECTIONS)})")
    entries = raw["entries"] or []
    for index, entry in enumerate(entries):
        _check_entry(entry, index, sections, sources, errors)
    _fail(errors)

    by_id: dict[str, dict] = {}
    for entry in entries:
        if entry["id"] in by_id:
            errors.append(f"entries[{entry['id']}]: duplicate id")
        by_id[entry["id"]] = entry
    keys = set()
    for entry in entries:
        key = (entry["section"], entry["host"], entry["status"])
        if key in keys and entry["status"] == "current":
            errors.append(f"entries[{entry['id']}]: {entry['host']!r} is listed twice as current in section "
                          f"{entry['section']!r}")
        keys.add(key)
        target = entry.get("renamed_to")
        if target is not None and target not in by_id:
            errors.append(f"entries[{entry['id']}].renamed_to: unknown id {target!r}")
        if entry["status"] == "renamed" and target is None:
            errors.append(f"entries[{entry['id']}]: a renamed entry needs renamed_to")

    ports = raw.get("ports") or []
    for index, item in enumerate(ports):
        where = f"ports[{item.get('id', index) if isinstance(item, dict) else index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        unknown = sorted(set(item) - set(_PORT_KEYS))
        if unknown:
            errors.append(f"{where}: unknown keys {', '.join(unknown)} (valid: {', '.join(_PORT_KEYS)})")
        _check_common(item, where, sections, sources, errors, kind_sections=PORT_SECTIONS)
    _fail(errors)

    derived = tuple(_derive(e) for e in entries)
    return Catalog(
        version=str(raw["catalog_version"]),
        updated=str(raw.get("updated", "")),
        sources=sources,
        sections=sections,
        entries=derived,
        ports=tuple(ports),
        processes=tuple(raw.get("processes") or ()),
        path=path,
        by_id={e["id"]: e for e in derived},
        services=tuple(sorted({e["service"] for e in derived})),
    )


_CACHE: dict[str, tuple[tuple[int, int], Catalog]] = {}
_CACHE_LOCK = threading.Lock()


def load_catalog(path: str | None = None) -> Catalog:
    """Read, check and cache the catalog file (default: the collection's ``vars/catalog.yml``).

    The cache key includes the file's size and modification time, so an edited catalog is read again.
    """
    path = os.path.abspath(path or CATALOG_PATH)
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog {path}: {exc.strerror}") from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogError(f"the catalog {path} is not valid YAML: {exc}") from exc
    catalog = build_catalog(raw, path)
    with _CACHE_LOCK:
        _CACHE[path] = (stamp, catalog)
    return catalog


# ------------------------------------------------------------------------------------------------ selection

def _as_list(value: Any, name: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise CatalogError(f"{name}: expected a string or a list, got {value!r}")


def _check_choices(values: Iterable[Any], valid: Iterable[str], name: str) -> list[str]:
    valid = list(valid)
    values = [str(v).strip().lower() for v in values]
    bad = [v for v in values if v not in valid]
    if bad:
        raise CatalogError(f"unknown {name} {', '.join(repr(b) for b in bad)}; valid {name}s: {', '.join(valid)}")
    return values


def _port_in(port: int, ports: Iterable[int | str]) -> bool:
    for item in ports:
        parsed = parse_port(item)
        if parsed == port or (isinstance(parsed, tuple) and parsed[0] <= port <= parsed[1]):
            return True
    return False


def _tri_state(value: Any, name: str) -> bool | None | str:
    """Map a selector for a true/false/null field; the string ``any`` (or omission) means no filter."""
    if value is None or value == "any":
        return "any"
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    table = {"true": True, "yes": True, "false": False, "no": False, "null": None, "none": None,
             "unknown": None, "not_stated": None}
    if text in table:
        return table[text]
    raise CatalogError(f"{name}: {value!r} is not one of true, false, not_stated, any")


def select(catalog: Catalog, *, section: Any = None, service: Any = None, platform: Any = None,
           protocol: Any = None, port: Any = None, proxy: Any = None, kind: Any = None, required: Any = None,
           host: Any = None, ids: Any = None, include_removed: bool = False,
           include_unverified: bool = False, include_broad: bool = False) -> list[dict]:
    """Return copies of the catalog entries that pass every given selector, in catalog order.

    Each selector accepts one value or a list (any value of the list matches). Unknown sections, services,
    platforms, protocols, kinds and ids raise :class:`CatalogError` naming the value and the valid choices.

    - ``platform``: entries that list the platform, plus entries with no platforms (not device-specific).
    - ``protocol``/``port``: entries with that protocol, or that port (in a range too) on the given protocols.
    - ``proxy``/``required``: true, false, ``not_stated`` (proxy only: Apple does not say) or ``any``.
    - ``status``: current entries always; ``include_removed`` adds removed and renamed ones, ``include_unverified``
      adds unverified ones.
    - breadth: precise entries always; ``include_broad`` adds the broad ones (:func:`is_broad`): Apple's shortcuts
      (``*.apple.com``, ``17.0.0.0/8``), third-party platforms (``*.amazonaws.com``) and entries whose ports are
      inferred rather than listed by Apple for that host. Naming a broad entry in ``ids`` without it is an error.
    """
    sections = set(_check_choices(_as_list(section, "section"), catalog.sections, "section"))
    services = set(_check_choices(_as_list(service, "service"), catalog.services, "service"))
    platforms = set(_check_choices(_as_list(platform, "platform"), PLATFORMS, "platform"))
    protocols = _check_choices(_as_list(protocol, "protocol"), PROTOCOLS, "protocol") or list(PROTOCOLS)
    kinds = set(_check_choices(_as_list(kind, "kind"), KINDS, "kind"))
    wanted_ports = [parse_port(p, "port") for p in _as_list(port, "port")]
    for wanted in wanted_ports:
        if isinstance(wanted, tuple):
            raise CatalogError(f"port: select one port at a time, not the range {format_port(wanted)!r}")
    id_list = _as_list(ids, "ids")
    unknown_ids = [i for i in id_list if i not in catalog.by_id]
    if unknown_ids:
        raise CatalogError(f"unknown id {', '.join(repr(i) for i in unknown_ids)}; "
                           "list the ids with lookup('netallow.apple.endpoints', output='ids', include_removed=true)")
    id_set = set(id_list)
    if not isinstance(include_broad, bool):
        raise CatalogError(f"include_broad: {include_broad!r} must be true or false")
    named_broad = [i for i in id_list if catalog.by_id[i]["broad"]]
    if named_broad and not include_broad:
        raise CatalogError(f"id {', '.join(repr(i) for i in named_broad)} is broad (scope shortcut or platform, or "
                           "ports inferred rather than listed by Apple); add include_broad=true to select it")
    host_set = {str(h).strip().lower().rstrip(".") for h in _as_list(host, "host")}
    proxy_state = _tri_state(proxy, "proxy")
    required_state = _tri_state(required, "required")
    if required_state is None:
        raise CatalogError("required: every entry states whether it is required; use true, false or any")
    statuses = {"current"}
    if include_removed:
        statuses |= {"removed", "renamed"}
    if include_unverified:
        statuses.add("unverified")
    protocol_filtered = protocol is not None

    selected = []
    for entry in catalog.entries:
        if entry["status"] not in statuses:
            continue
        if entry["broad"] and not include_broad:
            continue
        if sections and entry["section"] not in sections:
            continue
        if services and entry["service"] not in services:
            continue
        if platforms and entry["platforms"] and not platforms.intersection(entry["platforms"]):
            continue
        if kinds and entry["kind"] not in kinds:
            continue
        if id_set and entry["id"] not in id_set:
            continue
        if host_set and entry["host"] not in host_set:
            continue
        if proxy_state != "any" and entry["proxy"] is not proxy_state:
            continue
        if required_state != "any" and entry["required"] is not required_state:
            continue
        if protocol_filtered and not any(entry[p] for p in protocols):
            continue
        if wanted_ports and not any(_port_in(w, entry[p]) for w in wanted_ports for p in protocols):
            continue
        selected.append(copy_entry(entry))
    return selected


def copy_entry(entry: Mapping[str, Any]) -> dict:
    """A copy whose lists and dicts callers may change without touching the cached catalog."""
    copied = dict(entry)
    for key in ("tcp", "udp", "platforms", "sources"):
        copied[key] = list(entry[key])
    copied["description"] = dict(entry["description"])
    copied["history"] = [dict(event) for event in entry.get("history") or ()]
    return copied


def describe(catalog: Catalog, output: str) -> Any:
    """The catalog-level outputs of :data:`CATALOG_OUTPUTS` (selectors do not apply to them)."""
    if output == "info":
        return {"version": catalog.version, "updated": catalog.updated, "entries": len(catalog.entries),
                "path": catalog.path, "sections": list(catalog.sections), "services": list(catalog.services)}
    if output == "sections":
        return dict(catalog.sections)
    if output == "sources":
        return dict(catalog.sources)
    if output == "port_rows":
        return [dict(row) for row in catalog.ports]
    if output == "processes":
        return [dict(row) for row in catalog.processes]
    raise CatalogError(f"unknown output {output!r}; valid outputs: {', '.join(OUTPUTS + CATALOG_OUTPUTS)}")


def summarize(entries: Iterable[Mapping[str, Any]], output: str = "entries") -> Any:
    """Shape selected entries for the lookup's ``output`` modes (see :data:`OUTPUTS`)."""
    entries = list(entries)
    if output == "entries":
        return entries
    if output == "ids":
        return [e["id"] for e in entries]
    if output in ("hosts", "fqdns", "wildcards", "cidrs"):
        kind = {"hosts": None, "fqdns": "fqdn", "wildcards": "wildcard", "cidrs": "cidr"}[output]
        seen: dict[str, None] = {}
        for entry in entries:
            if kind is None or entry["kind"] == kind:
                seen.setdefault(entry["host"], None)
        return list(seen)
    if output == "ports":
        result: dict[str, list] = {}
        for proto in PROTOCOLS:
            parsed = {parse_port(p) for e in entries for p in e[proto]}
            ordered = sorted(parsed, key=lambda p: p if isinstance(p, int) else p[0])
            result[proto] = [format_port(p) for p in ordered]
        return result
    raise CatalogError(f"unknown output {output!r}; valid outputs: {', '.join(OUTPUTS + CATALOG_OUTPUTS)}")


# ------------------------------------------------------------------------------------------------ change feed

def since_month(since: Any) -> str:
    """``since`` as a ``YYYY-MM`` month: a date ``YYYY`` or ``YYYY-MM`` as is, a ``catalog_version`` ``YYYY.M.N``
    as the month after the one it covers (a version holds every change of its month)."""
    if since is None or since == "":
        return ""
    text = str(since).strip()
    if _DATE_RE.match(text):
        return text if "-" in text else f"{text}-00"  # a bare year: every event of that year, dated or not
    match = _VERSION_RE.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2)) + 1
        if month == 13:
            year, month = year + 1, 1
        return f"{year:04d}-{month:02d}"
    raise CatalogError(f"since: {since!r} is neither a date (YYYY or YYYY-MM) nor a catalog_version (YYYY.M.N)")


def _month_key(date: str) -> str:
    return date if "-" in date else f"{date}-00"  # a bare year sorts before its months


def changes(entries: Iterable[Mapping[str, Any]], since: Any = None) -> list[dict]:
    """The change feed over ``entries`` (select them with ``include_removed`` and ``include_unverified``).

    Returns ``[{date, change, id, host, section, detail}]`` newest first, ``change`` one of :data:`CHANGE_KINDS`,
    from each entry's ``added``, ``removed``, ``renamed_to`` and ``history``. A rename is one event on the old
    entry (its successor's addition is not repeated). ``since`` keeps events dated that month or later (see
    :func:`since_month`).
    """
    entries = list(entries)
    by_id = {e["id"]: e for e in entries}
    successors = {e["renamed_to"]: e for e in entries if e.get("status") == "renamed" and e.get("renamed_to")}
    events = []

    def event(date, change, entry, detail):
        events.append({"date": date, "change": change, "id": entry["id"], "host": entry["host"],
                       "section": entry["section"], "detail": detail})

    for entry in entries:
        predecessor = successors.get(entry["id"])
        if entry.get("added") and not (predecessor and predecessor.get("removed") == entry.get("added")):
            event(entry["added"], "added", entry, f"listed by Apple (status {entry['status']})")
        if entry.get("status") == "renamed" and entry.get("removed"):
            target = by_id.get(entry["renamed_to"])
            new_host = target["host"] if target else entry["renamed_to"]
            event(entry["removed"], "renamed", entry, f"renamed to {new_host} ({entry['renamed_to']})")
        elif entry.get("status") == "removed" and entry.get("removed"):
            event(entry["removed"], "removed", entry, "no longer listed by Apple")
        for item in entry.get("history") or ():
            event(item["date"], "changed", entry, item["detail"])
    start = since_month(since)
    if start:
        events = [e for e in events if _month_key(e["date"]) >= start]
    order = {kind: index for index, kind in enumerate(("removed", "renamed", "changed", "added"))}
    events.sort(key=lambda e: (e["date"] if "-" in e["date"] else e["date"] + "-00", -order[e["change"]], e["id"]),
                reverse=True)
    return events

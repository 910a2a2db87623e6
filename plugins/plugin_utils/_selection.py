# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability module's targets, selected from the catalog on the controller.

The action plugin selects them before it runs the module; the reports select them again to expand compact results
(``result_shape=compact``), which refer to the targets by their position.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os

from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import SELECTORS
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import new_result
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CATALOG_PATH, load_catalog, select


def _skipped(entry: dict, port, protocol: str, reason: str) -> dict:
    result = new_result(entry, entry.get("probe"), port, protocol, status="skipped", detail=reason)
    result["entry_ids"] = [entry["id"]]
    return result


def entries_to_targets(entries, protocols=None, ports=None, resolve=None):
    """Turn catalog entries into probe targets, one per (probe name, port, protocol).

    Entries that share a name and port (one host listed in several sections) become one target that carries every
    entry id and is required when any of them is. Returns (targets, skipped results): wildcards without a probe
    name, CIDRs without a concrete address in ``resolve`` and port ranges cannot be probed and are reported.
    """
    resolve_keys = {str(k).lower() for k in (resolve or {})}
    wanted_protocols = set(protocols or ("tcp", "udp"))
    wanted_ports = {int(p) for p in ports or ()}
    targets: dict = {}
    skipped = []
    for entry in entries:
        for protocol in ("tcp", "udp"):
            if protocol not in wanted_protocols:
                continue
            for port in entry.get(protocol) or ():
                if isinstance(port, str):
                    low, _dash, high = port.partition("-")
                    if wanted_ports and not any(int(low) <= p <= int(high) for p in wanted_ports):
                        continue
                    if low != high:
                        skipped.append(_skipped(entry, port, protocol, f"port range {port} is not probed"))
                        continue
                    port = int(low)
                if wanted_ports and port not in wanted_ports:
                    continue
                if entry["kind"] == "cidr":
                    if entry["host"].lower() not in resolve_keys:
                        skipped.append(_skipped(entry, port, protocol, "address block: nothing to resolve "
                                                "(map it to one concrete address with the resolve option)"))
                        continue
                    name = entry["host"]
                else:
                    name = entry.get("probe")
                    if not name:
                        if entry["kind"] == "wildcard":
                            # Never the bare domain in its place: the wildcard does not match it.
                            why = entry.get("no_probe_reason")
                            reason = f"wildcard without a probe name: {why}" if why else "wildcard without a probe name"
                        else:
                            reason = "no probe name (retired host)"
                        skipped.append(_skipped(entry, port, protocol, reason))
                        continue
                key = (name.lower(), port, protocol)
                target = targets.get(key)
                if target is None:
                    targets[key] = {
                        "host": entry["host"],
                        "probe": name,
                        "port": port,
                        "protocol": protocol,
                        "id": entry["id"],
                        "entry_ids": [entry["id"]],
                        "required": bool(entry.get("required", True)),
                    }
                else:
                    target["entry_ids"].append(entry["id"])
                    target["required"] = target["required"] or bool(entry.get("required", True))
    return list(targets.values()), skipped


def select_targets(args: dict):
    """Select catalog entries with the lookup's selectors and expand them into targets (controller side).

    Raises :class:`~ansible_collections.netallow.apple.plugins.plugin_utils._catalog.CatalogError` for a catalog
    that cannot be read or a selector it does not know."""
    selectors = {name: args.get(name) for name in SELECTORS}
    catalog = load_catalog(args.get("catalog_path"))
    entries = select(
        catalog,
        section=selectors["section"],
        service=selectors["service"],
        platform=selectors["platform"],
        protocol=selectors["protocol"],
        port=selectors["port"],
        proxy=selectors["proxy_supported"],
        required=selectors["required"],
        kind=selectors["kind"],
        host=selectors["host"],
        ids=selectors["ids"],
        include_removed=selectors["include_removed"],
        include_unverified=selectors["include_unverified"],
        include_broad=bool(selectors["include_broad"]),
    )
    return entries_to_targets(entries, protocols=selectors["protocol"], ports=selectors["port"],
                              resolve=args.get("resolve"))


def _selection_options(args: dict) -> dict:
    """What the selection depends on besides the catalog file: the selectors and the resolve map."""
    options = {name: args.get(name) for name in SELECTORS}
    options["resolve"] = args.get("resolve")
    return options


def selection_key(args: dict) -> str | None:
    """A digest of everything the selection depends on: the catalog file (path, size, modification time), the
    selectors and the resolve map. None when the catalog cannot be read (the selection then reports why)."""
    path = os.path.abspath(args.get("catalog_path") or CATALOG_PATH)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    text = json.dumps([path, stat.st_mtime_ns, stat.st_size, _selection_options(args)], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def select_targets_once(args: dict, shared_dir: str | None, selector=select_targets):
    """:func:`select_targets`, computed once per run for each distinct set of options.

    Ansible runs this plugin in a new worker process per host, so an in-memory cache would be lost: the first
    worker writes the selection to ``shared_dir`` (the controller's temporary directory of this run, which every
    worker inherits and Ansible removes at exit) and the workers of the other hosts read it back instead of
    loading the catalog and selecting again. ``selector`` selects when nothing is stored yet.
    """
    key = selection_key(args) if shared_dir and os.path.isdir(shared_dir) else None
    if key is None:
        return selector(args)
    path = os.path.join(shared_dir, f"netallow-apple-selection-{key}.json")
    try:
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
        return stored["targets"], stored["skipped"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    targets, skipped = selector(args)
    partial = f"{path}.{os.getpid()}.part"
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({"targets": targets, "skipped": skipped}, handle)
        os.replace(partial, path)  # atomic: a worker reads the whole selection or none
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(partial)
    return targets, skipped


def selection_reference(args: dict, targets: list) -> dict:
    """What a compact result carries for the reports to select its targets again: the selectors and the resolve
    map with the digest of :func:`selection_key`, or the explicit targets themselves."""
    if args.get("targets") is not None:
        return {"targets": targets}
    options = _selection_options(args)
    return {"options": options, "key": selection_key(options)}

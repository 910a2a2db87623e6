# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> vyos.vyos payloads (network/port groups, a domain-group, firewall rules)."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.plugin_utils._render_vendor import (
    VendorRenderError,
    check_options,
    port_label,
    require_model,
    unexpressible_warnings,
)

FORMAT_DOC = """\
C(vyos): payloads for vyos.vyos (VyOS 1.4+), a dict with C(global) (the C(config) of vyos_firewall_global: an IPv4
and an IPv6 network-group of Apple's CIDRs, a TCP and a UDP port-group), C(rules) (the C(config) of
vyos_firewall_rules: in rule-set C(rule_set), one accept rule per protocol and address family, logging on),
C(domain_group_lines) (C(set firewall group domain-group ...) and the matching accept rules for vyos_config: the
resource modules cannot express FQDN destinations; VyOS has no wildcard domain, wildcards are reported in
C(warnings)) and C(warnings). Options: C(prefix), C(position) (C(top) = numbers from 1, C(bottom) = from 9000,
C(before)/C(after) with C(anchor) = a rule number), C(rule_name) (rule-set name, default C(<PREFIX>-OUT)),
C(comment)."""

VENDOR = "vyos"
_DEFAULTS: dict = {}


def _first_number(opts: dict, count: int) -> int:
    if opts["position"] == "top":
        return 1
    if opts["position"] == "bottom":
        return 9000
    anchor = opts["anchor"]
    if isinstance(anchor, str) and anchor.isdigit():
        anchor = int(anchor)
    if isinstance(anchor, bool) or not isinstance(anchor, int) or not 1 <= anchor <= 999999:
        raise VendorRenderError(f"{VENDOR} renderer: anchor {opts['anchor']!r} must be a rule number (1-999999)")
    first = anchor - count if opts["position"] == "before" else anchor + 1
    if first < 1:
        raise VendorRenderError(
            f"{VENDOR} renderer: no room for {count} rule(s) before rule {anchor}; choose a higher anchor or top")
    return first


def render(model: dict, **options) -> dict:
    """Render the VyOS payloads for ``model`` (see FORMAT_DOC for the options)."""
    require_model(VENDOR, model)
    opts = check_options(VENDOR, options, _DEFAULTS)
    upper = opts["prefix"].upper().replace(".", "-")
    rule_set = (opts["rule_name"] or f"{upper}-OUT")
    if len(rule_set) > 28 or "." in rule_set:
        raise VendorRenderError(f"{VENDOR} renderer: rule_name {rule_set!r} must be at most 28 characters, no '.'")
    comment = opts["comment"]
    names = {
        "net4": f"{upper}-NET4", "net6": f"{upper}-NET6", "tcp": f"{upper}-TCP", "udp": f"{upper}-UDP",
        "fqdn": f"{upper}-FQDN",
    }
    group: dict = {}
    if model["cidrs4"]:
        group.setdefault("network_group", []).append(
            {"name": names["net4"], "afi": "ipv4", "description": comment,
             "members": [{"address": c} for c in model["cidrs4"]]})
    if model["cidrs6"]:
        group.setdefault("network_group", []).append(
            {"name": names["net6"], "afi": "ipv6", "description": comment,
             "members": [{"address": c} for c in model["cidrs6"]]})
    protocols = [p for p in ("tcp", "udp") if model["ports"].get(p)]
    for protocol in protocols:
        group.setdefault("port_group", []).append(
            {"name": names[protocol], "description": comment,
             "members": [{"port": port_label(p)} for p in model["ports"][protocol]]})

    planned = []  # (afi, protocol, destination kind)
    for afi, key in (("ipv4", "net4"), ("ipv6", "net6")):
        if model["cidrs4" if afi == "ipv4" else "cidrs6"]:
            planned += [(afi, protocol, key) for protocol in protocols]
    if model["fqdns"]:
        planned += [("ipv4", protocol, "fqdn") for protocol in protocols]
    number = _first_number(opts, len(planned))
    rules: dict = {}
    domain_group_lines = [f"set firewall group domain-group {names['fqdn']} address {h}" for h in model["fqdns"]]
    if model["fqdns"]:
        domain_group_lines.insert(0, f"set firewall group domain-group {names['fqdn']} description '{comment}'")
    for afi, protocol, key in planned:
        description = f"{comment} ({protocol}, {key})"
        if key == "fqdn":
            base = f"set firewall ipv4 name {rule_set} rule {number}"
            domain_group_lines += [
                f"{base} action accept",
                f"{base} description '{description}'",
                f"{base} protocol {protocol}",
                f"{base} destination group domain-group {names['fqdn']}",
                f"{base} destination group port-group {names[protocol]}",
                f"{base} log",
            ]
        else:
            rules.setdefault(afi, []).append({
                "number": number,
                "action": "accept",
                "description": description,
                "protocol": protocol,
                "destination": {"group": {"network_group": names[key], "port_group": names[protocol]}},
                "log": "enable",
            })
        number += 1
    rules_config = [
        {"afi": afi, "rule_sets": [{"name": rule_set, "description": comment, "rules": rules[afi]}]}
        for afi in ("ipv4", "ipv6") if afi in rules
    ]
    return {
        "vendor": VENDOR,
        "global": {"group": group} if group else None,
        "rules": rules_config,
        "rule_set": rule_set,
        "domain_group_lines": domain_group_lines,
        "warnings": unexpressible_warnings(VENDOR, model),
    }

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> vyos.vyos payloads (network/port groups, a domain-group, firewall rules)."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import is_decimal
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common, _ownership

FORMAT_DOC = """\
C(vyos): VyOS 1.4+ configuration commands for vyos.vyos.vyos_config, a dict with C(lines) (C(set firewall group
network-group)/C(ipv6-network-group) of Apple's CIDRs, C(port-group)s of the TCP and UDP ports, a C(domain-group) of the
exact FQDNs, and in rule-set C(rule_name) one accept rule per protocol and destination kind, logging on),
C(delete_lines) (what state absent sends) and C(warnings). VyOS has no wildcard domain: wildcards are reported in
C(warnings). (vyos.vyos's firewall resource modules ask the device for its version even with C(state=rendered), so they
cannot render offline; the commands are written here instead.) Placement: C(top) numbers rules from 1, C(bottom) from
9000, C(before)/C(after) take a rule number as C(anchor); C(rule_name) names the rule set (default C(<PREFIX>-OUT)),
which may be the site's own. Given C(running_config), a rule number the role would write that holds a rule whose
description does not carry C(netallow.apple) is listed in C(conflicts) (the role refuses to apply then), and
C(delete_lines) deletes only rules whose description carries it."""

VENDOR = "vyos"
VENDOR_OPTIONS: dict = {
    "running_config": {"type": "str",
                       "description": "The device's firewall configuration as C(show configuration commands) prints "
                                      "it; the netallow.apple.network_gear role reads it. Null: not known (every "
                                      "rule number is taken as the role's own)."},
}


def _first_number(opts: dict, count: int) -> int:
    if opts["position"] == "top":
        return 1
    if opts["position"] == "bottom":
        return 9000
    anchor = opts["anchor"]
    if isinstance(anchor, str) and is_decimal(anchor):
        anchor = int(anchor)
    if isinstance(anchor, bool) or not isinstance(anchor, int) or not 1 <= anchor <= 999999:
        raise _common.VendorRenderError(f"anchor {opts['anchor']!r} must be a rule number (1-999999)", VENDOR)
    first = anchor - count if opts["position"] == "before" else anchor + 1
    if first < 1:
        raise _common.VendorRenderError(
            f"no room for {count} rule(s) before rule {anchor}; choose a higher anchor or top", VENDOR)
    return first


def render(model: dict, **options) -> dict:
    """Render the VyOS payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    upper = opts["prefix"].upper().replace(".", "-")
    rule_set = (opts["rule_name"] or f"{upper}-OUT")
    if len(rule_set) > 28 or "." in rule_set:
        raise _common.VendorRenderError(f"rule_name {rule_set!r} must be at most 28 characters, no '.'", VENDOR)
    # Room for the rule descriptions' " (udp to <PREFIX>-FQDN)" suffix, the prefix at its longest.
    comment = _common.stamped_comment(VENDOR, opts, model, reserve=len(" (udp to -FQDN)") + 16)
    names = {
        "net4": f"{upper}-NET4", "net6": f"{upper}-NET6", "tcp": f"{upper}-TCP", "udp": f"{upper}-UDP",
        "fqdn": f"{upper}-FQDN",
    }
    lines = []
    if model["cidrs4"]:
        lines += [f"set firewall group network-group {names['net4']} description '{comment}'"]
        lines += [f"set firewall group network-group {names['net4']} network {c}" for c in model["cidrs4"]]
    if model["cidrs6"]:
        lines += [f"set firewall group ipv6-network-group {names['net6']} description '{comment}'"]
        lines += [f"set firewall group ipv6-network-group {names['net6']} network {c}" for c in model["cidrs6"]]
    protocols = [p for p in ("tcp", "udp") if model["ports"].get(p)]
    for protocol in protocols:
        lines += [f"set firewall group port-group {names[protocol]} description '{comment}'"]
        lines += [
            f"set firewall group port-group {names[protocol]} port {_common.port_label(port)}"
            for port in model["ports"][protocol]
        ]
    if model["fqdns"]:
        lines += [f"set firewall group domain-group {names['fqdn']} description '{comment}'"]
        lines += [f"set firewall group domain-group {names['fqdn']} address {h}" for h in model["fqdns"]]

    planned = []  # (family, protocol, destination group kind, group name)
    if model["cidrs4"]:
        planned += [("ipv4", protocol, "network-group", names["net4"]) for protocol in protocols]
    if model["cidrs6"]:
        planned += [("ipv6", protocol, "network-group", names["net6"]) for protocol in protocols]
    if model["fqdns"]:
        planned += [("ipv4", protocol, "domain-group", names["fqdn"]) for protocol in protocols]
    number = _first_number(opts, len(planned))
    known = opts["running_config"] is not None
    on_device = _ownership.vyos_rules(opts["running_config"]) if known else {}
    if known:
        _common.require_owner_tag(VENDOR, opts, comment, "rules")
    numbered = [(family, rule_set, number + offset) for offset, (family, *_rest) in enumerate(planned)]
    conflicts = [
        f"rule {item['number']} of firewall {item['family']} name {rule_set} is the site's own rule ("
        + (f"description {item['description']!r}" if item["description"] else "no description")
        + f", no {_ownership.OWNER_TAG!r}): the role would overwrite it; choose a place where rules "
        f"{numbered[0][2]}-{numbered[-1][2]} are free (position top, bottom, or before/after another anchor) or "
        "another rule set (rule_name)"
        for item in _ownership.vyos_rule_conflicts(on_device, numbered)
    ]
    delete_lines = []
    for family, protocol, kind, group_name in planned:
        base = f"set firewall {family} name {rule_set} rule {number}"
        lines += [
            f"{base} action accept",
            f"{base} description '{comment} ({protocol} to {group_name})'",
            f"{base} protocol {protocol}",
            f"{base} destination group {kind} {group_name}",
            f"{base} destination group port-group {names[protocol]}",
            f"{base} log",
        ]
        # Only a rule the role wrote: with the device's configuration known, one that is absent or not the role's
        # own is left alone.
        if not known or _ownership.is_owned(on_device.get((family, rule_set, number))):
            delete_lines.append(f"delete firewall {family} name {rule_set} rule {number}")
        number += 1
    delete_lines += [f"delete firewall group domain-group {names['fqdn']}"] if model["fqdns"] else []
    delete_lines += [f"delete firewall group port-group {names[p]}" for p in protocols]
    delete_lines += [f"delete firewall group network-group {names['net4']}"] if model["cidrs4"] else []
    delete_lines += [f"delete firewall group ipv6-network-group {names['net6']}"] if model["cidrs6"] else []
    return {
        "vendor": VENDOR,
        "lines": lines,
        "delete_lines": delete_lines,
        "rule_set": rule_set,
        "conflicts": conflicts,
        "warnings": _common.unexpressible_warnings(VENDOR, model),
    }

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> fortinet.fortios module payloads (firewall address/addrgrp, service, policy, ssl-exempt)."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common, _ownership

FORMAT_DOC = """\
C(fortios): payloads for the fortinet.fortios modules, a dict with C(addresses) (fortios_firewall_address: one C(fqdn)
object per FQDN, one C(fqdn) object with C(*.domain) per wildcard, one C(ipmask) object per IPv4 CIDR), C(addresses6)
(fortios_firewall_address6), C(addrgrp)/C(addrgrp6), C(wildcard_fqdns) (fortios_firewall_wildcard_fqdn_custom, used by
the TLS exemption), C(services) (fortios_firewall_service_custom, one per TCP/UDP port or range), C(service_group),
C(policy) (fortios_firewall_policy, logging on), C(move) (the policy move, or null for C(bottom)), C(ssl_exempt)
(members of C(ssl_exempt) for fortios_firewall_ssl_ssh_profile) and C(warnings). Placement: C(anchor) is a policy id;
C(top) needs it too (the id of the current first policy). The policy and the exemptions are keyed by number, so the
site may hold them: given C(existing_policies) and C(existing_ssl_exempt), a policy id held by a policy whose comments
do not carry C(netallow.apple), or an exemption id held by one for an object without the prefix, is listed in
C(conflicts) (the role refuses to apply then), and C(policy_remove)/C(ssl_exempt_remove) say what state absent may
delete."""

VENDOR = "fortios"
VENDOR_OPTIONS = {
    "policyid": {"type": "int", "default": 4000, "description": "Id of the allow policy (1 to 4294967294)."},
    "srcintf": {"type": "list", "elements": "str", "default": ["any"],
                "description": "Source interfaces of the policy (non-empty)."},
    "dstintf": {"type": "list", "elements": "str", "default": ["any"],
                "description": "Destination interfaces of the policy (non-empty)."},
    "ssl_ssh_profile": {"type": "str",
                        "description": "Profile whose ssl-exempt list gets the Apple names; null to skip."},
    "exempt_id_base": {"type": "int", "default": 4000, "description": "First ssl-exempt id (1 to 4294967294)."},
    "existing_policies": {"type": "list", "elements": "dict",
                          "description": "The device's firewall policies (C(policyid), C(comments)) as "
                                         "fortinet.fortios.fortios_configuration_fact returns them; the "
                                         "netallow.apple.network_gear role reads them. Null: not known."},
    "existing_ssl_exempt": {"type": "list", "elements": "dict",
                            "description": "The C(ssl-exempt) entries of C(ssl_ssh_profile) on the device; the "
                                           "netallow.apple.network_gear role reads them. Null: not known."},
}


def _int_option(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _common.VendorRenderError(f"{name} {value!r} is not an integer from {low} to {high}", VENDOR)
    return value


def render(model: dict, **options) -> dict:
    """Render the FortiOS payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    prefix = opts["prefix"]
    policyid = _int_option("policyid", opts["policyid"], 1, 4294967294)
    exempt_base = _int_option("exempt_id_base", opts["exempt_id_base"], 1, 4294967294)
    interfaces = {}
    for key in ("srcintf", "dstintf"):
        value = opts[key]
        if not isinstance(value, list) or not value:
            raise _common.VendorRenderError(f"{key} {value!r} must be a non-empty list of interface names", VENDOR)
        interfaces[key] = [{"name": _common.check_name(VENDOR, key, name, 35)} for name in value]
    if opts["ssl_ssh_profile"] is not None:
        _common.check_name(VENDOR, "ssl_ssh_profile", opts["ssl_ssh_profile"], 35)
    if opts["position"] == "top" and opts["anchor"] in (None, ""):
        raise _common.VendorRenderError(
            "position top needs anchor, the id of the current first policy "
            "(FortiOS moves a policy before or after another one)", VENDOR)
    comment = _common.stamped_comment(VENDOR, opts, model)

    fqdn_names = _common.host_names(VENDOR, prefix, model["fqdns"])
    wildcard_hosts = [f"*.{domain}" for domain in model["wildcards"]]
    wildcard_names = _common.host_names(VENDOR, prefix, wildcard_hosts)
    cidr4_names = _common.host_names(VENDOR, prefix, model["cidrs4"], "net-")
    cidr6_names = _common.host_names(VENDOR, prefix, model["cidrs6"], "net6-")

    addresses = [{"name": fqdn_names[h], "type": "fqdn", "fqdn": h, "comment": comment} for h in model["fqdns"]]
    addresses += [{"name": wildcard_names[h], "type": "fqdn", "fqdn": h, "comment": comment} for h in wildcard_hosts]
    addresses += [
        {"name": cidr4_names[c], "type": "ipmask", "subnet": c, "comment": comment} for c in model["cidrs4"]
    ]
    addresses6 = [
        {"name": cidr6_names[c], "type": "ipprefix", "ip6": c, "comment": comment} for c in model["cidrs6"]
    ]
    # The ssl-exempt list references wildcard-fqdn objects, a table separate from firewall addresses.
    wildcard_fqdns = [
        {"name": wildcard_names[h], "wildcard_fqdn": h, "comment": comment} for h in wildcard_hosts
    ]
    group_name = f"{prefix}-destinations"
    group6_name = f"{prefix}-destinations6"
    addrgrp = (
        {"name": group_name, "member": [{"name": a["name"]} for a in addresses], "comment": comment}
        if addresses else None
    )
    addrgrp6 = (
        {"name": group6_name, "member": [{"name": a["name"]} for a in addresses6], "comment": comment}
        if addresses6 else None
    )

    services = [
        {"name": item["name"], "protocol": "TCP/UDP/SCTP", f"{item['protocol']}_portrange": item["port"],
         "comment": comment}
        for item in _common.services(model, prefix)
    ]
    service_group = (
        {"name": f"{prefix}-services", "member": [{"name": s["name"]} for s in services], "comment": comment}
        if services else None
    )

    policy = None
    if service_group and (addrgrp or addrgrp6):
        policy = {
            "policyid": policyid,
            "name": (opts["rule_name"] or f"{prefix}-allow")[:35],
            "srcintf": interfaces["srcintf"],
            "dstintf": interfaces["dstintf"],
            "srcaddr": [{"name": "all"}] if addrgrp else [],
            "dstaddr": [{"name": group_name}] if addrgrp else [],
            "srcaddr6": [{"name": "all"}] if addrgrp6 else [],
            "dstaddr6": [{"name": group6_name}] if addrgrp6 else [],
            "service": [{"name": service_group["name"]}],
            "action": "accept",
            "schedule": "always",
            "logtraffic": "all",
            "status": "enable",
            "comments": comment,
        }
        for key in ("srcaddr", "dstaddr", "srcaddr6", "dstaddr6"):
            if not policy[key]:
                del policy[key]
    move = None
    if policy and opts["position"] != "bottom":
        move = {
            "self": str(policyid),
            "before" if opts["position"] in ("top", "before") else "after": str(opts["anchor"]),
        }

    ssl_exempt = []
    if opts["ssl_ssh_profile"]:
        next_id = exempt_base
        for item in wildcard_fqdns:
            ssl_exempt.append({"id": next_id, "type": "wildcard-fqdn", "wildcard_fqdn": item["name"]})
            next_id += 1
        for host in model["fqdns"]:
            ssl_exempt.append({"id": next_id, "type": "address", "address": fqdn_names[host]})
            next_id += 1

    conflicts = []
    policy_remove = policy is not None
    if policy and opts["existing_policies"] is not None:
        _common.require_owner_tag(VENDOR, opts, comment, "policy")
        found = next((p for p in opts["existing_policies"] if isinstance(p, dict)
                      and str(p.get("policyid")) == str(policyid)), None)
        policy_remove = found is not None and _ownership.is_owned(found.get("comments"))
        if found is not None and not policy_remove:
            conflicts.append(
                f"policy {policyid} ({found.get('name') or 'no name'}) is the site's own policy (its comments do not "
                f"carry {_ownership.OWNER_TAG!r}): the role would overwrite it; choose a free policyid")
    ssl_exempt_remove = ssl_exempt
    if ssl_exempt and opts["existing_ssl_exempt"] is not None:
        held, ssl_exempt_remove = _ownership.fortios_exempt_conflicts(ssl_exempt, opts["existing_ssl_exempt"], prefix)
        conflicts += [
            f"ssl-exempt id {item['id']} of profile {opts['ssl_ssh_profile']} holds the site's exemption "
            f"({item['holds']}): the role would overwrite it; choose an exempt_id_base with "
            f"{len(ssl_exempt)} free ids" for item in held]

    return {
        "vendor": VENDOR,
        "conflicts": conflicts,
        "policy_remove": policy_remove,
        "ssl_exempt_remove": ssl_exempt_remove,
        "addresses": addresses,
        "addresses6": addresses6,
        "wildcard_fqdns": wildcard_fqdns,
        "addrgrp": addrgrp,
        "addrgrp6": addrgrp6,
        "services": services,
        "service_group": service_group,
        "policy": policy,
        "move": move,
        "ssl_ssh_profile": opts["ssl_ssh_profile"],
        "ssl_exempt": ssl_exempt,
        "warnings": [],
    }

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> check_point.mgmt module payloads (dns-domain, network, group, services, rules, publish)."""

from __future__ import annotations

import ipaddress

from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common, _ownership

FORMAT_DOC = """\
C(checkpoint): payloads for the check_point.mgmt modules, a dict with C(dns_domains) (cp_mgmt_dns_domain: C(.domain)
with C(is_sub_domain) true for a wildcard, false for an exact FQDN), C(networks) (cp_mgmt_network, IPv4 and IPv6),
C(group) (cp_mgmt_group of all of them), C(services_tcp)/C(services_udp) (cp_mgmt_service_tcp/udp), C(service_group),
C(access_rule) (cp_mgmt_access_rule, action Accept, track Log), C(https_rule) (cp_mgmt_https_rule, action Bypass:
Apple's destinations are not inspected), C(install_policy) and C(warnings). Placement: C(before)/C(after) take a rule
name as C(anchor). A DNS domain object is named by its domain, not by C(prefix), so the site may already have one:
given C(existing_dns_domains), an object whose comments do not carry C(netallow.apple) is the site's own, listed in
C(dns_domains_kept) and used as a group member as it is, never in C(dns_domains) (what the role creates, changes and
deletes)."""

VENDOR = "checkpoint"
VENDOR_OPTIONS = {
    "layer": {"type": "str", "default": "Network", "description": "The access layer."},
    "https_layer": {"type": "str", "default": "Default Layer", "description": "The HTTPS inspection layer."},
    "policy_package": {"type": "str", "default": "standard", "description": "The policy package to install."},
    "targets": {"type": "list", "elements": "str", "default": [],
                "description": "Gateways to install on; empty: all of the package's targets."},
    "existing_dns_domains": {"type": "list", "elements": "dict",
                             "description": "The device's dns-domain objects (C(name), C(comments), C(is-sub-domain)) "
                                            "as check_point.mgmt.cp_mgmt_dns_domain_facts returns them; the "
                                            "netallow.apple.network_gear role reads them. Null: not known "
                                            "(every DNS domain is taken as the role's own)."},
}


def _position(opts: dict):
    if opts["position"] == "top":
        return "top"
    if opts["position"] == "bottom":
        return "bottom"
    return {"above" if opts["position"] == "before" else "below": str(opts["anchor"])}


def render(model: dict, **options) -> dict:
    """Render the Check Point payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    for key in ("layer", "https_layer", "policy_package"):
        _common.check_name(VENDOR, key, str(opts[key]).replace(" ", "_"))
    targets = [_common.check_name(VENDOR, "targets", target) for target in opts["targets"] or []]
    prefix = opts["prefix"]
    comment = _common.stamped_comment(VENDOR, opts, model)

    # Check Point names a dns-domain object by the domain itself, with a leading dot.
    dns_domains = [{"name": f".{d}", "is_sub_domain": True, "comments": comment} for d in model["wildcards"]]
    dns_domains += [{"name": f".{h}", "is_sub_domain": False, "comments": comment} for h in model["fqdns"]]
    members = [d["name"] for d in dns_domains]
    kept: list = []
    warnings: list = []
    if opts["existing_dns_domains"] is not None:
        _common.require_owner_tag(VENDOR, opts, comment, "DNS domains")
        plan = _ownership.plan_dns_domains(dns_domains, opts["existing_dns_domains"])
        dns_domains, kept, warnings = plan["write"], plan["kept"], plan["warnings"]
        # A kept object is a member under the name the device spells it with.
        spelled = {name.lower(): name for name in kept}
        members = [spelled.get(name.lower(), name) for name in members]
    networks = []
    names4 = _common.host_names(VENDOR, prefix, model["cidrs4"], "net-")
    names6 = _common.host_names(VENDOR, prefix, model["cidrs6"], "net6-")
    for cidr in model["cidrs4"]:
        net = ipaddress.ip_network(cidr)
        networks.append(
            {"name": names4[cidr], "subnet4": str(net.network_address), "mask_length4": net.prefixlen,
             "comments": comment})
    for cidr in model["cidrs6"]:
        net = ipaddress.ip_network(cidr)
        networks.append(
            {"name": names6[cidr], "subnet6": str(net.network_address), "mask_length6": net.prefixlen,
             "comments": comment})
    members += [n["name"] for n in networks]
    group = {"name": f"{prefix}-destinations", "members": members, "comments": comment} if members else None

    services: dict = {"tcp": [], "udp": []}
    for item in _common.services(model, prefix):
        services[item["protocol"]].append({"name": item["name"], "port": item["port"], "comments": comment})
    service_members = [s["name"] for s in services["tcp"] + services["udp"]]
    service_group = (
        {"name": f"{prefix}-services", "members": service_members, "comments": comment} if service_members else None
    )
    rule_name = _common.owned_rule_name(VENDOR, opts)
    access_rule = https_rule = None
    if group and service_group:
        access_rule = {
            "layer": opts["layer"],
            "name": rule_name,
            "source": ["Any"],
            "destination": [group["name"]],
            "service": [service_group["name"]],
            "action": "Accept",
            "track": {"type": "Log"},
            "enabled": True,
            "comments": comment,
        }
        position = _position(opts)
        if isinstance(position, dict):
            access_rule["relative_position"] = position
        else:
            access_rule["position"] = position
        https_rule = {
            "layer": opts["https_layer"],
            "name": f"{prefix}-no-inspection",
            "position": "top",
            "source": ["Any"],
            "destination": [group["name"]],
            "service": ["HTTPS default services"],
            "site_category": ["Any"],
            "action": "Bypass",
            "track": "Log",
            "enabled": True,
            "comments": comment,
        }
    install_policy = {"policy_package": opts["policy_package"]}
    if targets:
        install_policy["targets"] = targets
    return {
        "vendor": VENDOR,
        "dns_domains": dns_domains,
        "dns_domains_kept": kept,
        "networks": networks,
        "group": group,
        "services_tcp": services["tcp"],
        "services_udp": services["udp"],
        "service_group": service_group,
        "access_rule": access_rule,
        "https_rule": https_rule,
        "install_policy": install_policy,
        "warnings": warnings,
    }

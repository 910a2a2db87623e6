# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> cisco.asa payloads (FQDN network objects, object-groups, one extended ACE)."""

from __future__ import annotations

import ipaddress

from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import is_decimal
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common

FORMAT_DOC = """\
C(asa): payloads for cisco.asa, a dict with C(fqdn_objects) (C(parents)/C(lines) for asa_config: C(object network
<name>) with C(fqdn v4 <host>); the ASA has no wildcard FQDN object, so wildcards are left to Apple's CIDRs and reported
in C(warnings)), C(ogs) (the C(config) of asa_ogs: one network object-group with the FQDN objects and the IPv4/IPv6
CIDRs, one service object-group with the TCP and UDP ports), C(acls) (the C(config) of asa_acls: one extended permit
ACE, logging on), C(fqdn_object_lines) (the same objects as CLI text), C(delete_lines) (what state absent sends) and
C(warnings). Placement: C(position=top) is ACE line 1, C(before)/C(after) take an ACE line number as C(anchor);
C(rule_name) names the ACL (default C(<prefix>-out))."""

VENDOR = "asa"
VENDOR_OPTIONS: dict = {}


def _line(opts: dict):
    if opts["position"] == "bottom":
        return None
    if opts["position"] == "top":
        return 1
    anchor = opts["anchor"]
    if isinstance(anchor, str) and is_decimal(anchor):
        anchor = int(anchor)
    if isinstance(anchor, bool) or not isinstance(anchor, int) or anchor < 1:
        raise _common.VendorRenderError(
            f"anchor {opts['anchor']!r} must be an ACE line number (1 or more) on the ASA", VENDOR)
    return anchor if opts["position"] == "before" else anchor + 1


def _port_object(protocol: str, port) -> dict:
    low, high = _common.split_port(port)
    destination = {"eq": str(low)} if low == high else {"range": {"start": low, "end": high}}
    return {"protocol": protocol, "destination_port": destination}


def render(model: dict, **options) -> dict:
    """Render the ASA payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    prefix = opts["prefix"]
    line = _line(opts)
    acl_name = _common.check_name(VENDOR, "rule_name", opts["rule_name"] or f"{prefix}-out", 64)
    names = _common.host_names(VENDOR, prefix, model["fqdns"])
    comment = _common.stamped_comment(VENDOR, opts, model)
    fqdn_objects = [
        {
            "name": names[host],
            "fqdn": host,
            "parents": [f"object network {names[host]}"],
            "lines": [f"fqdn v4 {host}", f"description {comment}"],
        }
        for host in model["fqdns"]
    ]
    network_object = {}
    if fqdn_objects:
        network_object["object"] = [obj["name"] for obj in fqdn_objects]
    if model["cidrs4"]:
        network_object["address"] = [
            f"{net.network_address} {net.netmask}" for net in map(ipaddress.ip_network, model["cidrs4"])
        ]
    if model["cidrs6"]:
        network_object["ipv6_address"] = list(model["cidrs6"])
    services = [_port_object("tcp", port) for port in model["ports"].get("tcp", [])]
    services += [_port_object("udp", port) for port in model["ports"].get("udp", [])]

    dst_group = f"{prefix}-destinations"
    svc_group = f"{prefix}-services"
    ogs = []
    if network_object:
        ogs.append({"object_type": "network", "object_groups": [
            {"name": dst_group, "description": comment, "network_object": network_object}]})
    if services:
        ogs.append({"object_type": "service", "object_groups": [
            {"name": svc_group, "description": comment, "services_object": services}]})
    acls = None
    if network_object and services:
        ace = {
            "grant": "permit",
            # asa_acls reads "permit object-group SVC any object-group DST" back as this protocol value.
            "protocol": f"object-group {svc_group}",
            "source": {"any": True},
            "destination": {"object_group": dst_group},
            "log": "informational",
        }
        if line is not None:
            ace["line"] = line
        acls = {"acls": [{"name": acl_name, "acl_type": "extended", "aces": [ace]}]}
    # state absent: remove exactly what was added, in reverse order of dependence.
    delete_lines = []
    if acls:
        # Only this entry: the ACL may hold the site's own entries.
        delete_lines.append(
            f"no access-list {acl_name} extended permit object-group {svc_group} any object-group {dst_group} "
            "log informational")
    delete_lines += [f"no object-group service {svc_group}"] if services else []
    delete_lines += [f"no object-group network {dst_group}"] if network_object else []
    delete_lines += [f"no object network {obj['name']}" for obj in fqdn_objects]
    return {
        "vendor": VENDOR,
        "delete_lines": delete_lines,
        "fqdn_objects": fqdn_objects,
        "fqdn_object_lines": [
            line for obj in fqdn_objects for line in obj["parents"] + [f" {x}" for x in obj["lines"]]
        ],
        "ogs": ogs,
        "acls": acls,
        "acl_name": acl_name,
        "warnings": _common.unexpressible_warnings(VENDOR, model),
    }

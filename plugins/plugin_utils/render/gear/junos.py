# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> junipernetworks.junos payloads (address book, applications, one security policy)."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common

FORMAT_DOC = """\
C(junos): payloads for junipernetworks.junos (SRX), a dict with C(zones) (the C(config) of junos_security_zones: the
destination zone's address book with one C(dns-name) address per FQDN, one C(ip-prefix) address per IPv4/IPv6 CIDR and
an address-set of all of them; Junos has no wildcard FQDN address, wildcards are reported in C(warnings)),
C(application_lines) (C(set applications ...) for junos_config: one application per TCP/UDP port or range and an
application-set), C(policies) (the C(config) of junos_security_policies: one permit policy, session init and close
logged), C(policy_lines) (for junos_config, after the policy: C(then permit), which the resource module cannot express,
and C(insert ... before|after policy ...) unless C(bottom)), C(delete_lines) (what state absent sends) and C(warnings).
Placement: C(anchor) is a policy name; C(top) needs the current first policy as C(anchor)."""

VENDOR = "junos"
VENDOR_OPTIONS = {
    "from_zone": {"type": "str", "default": "trust", "description": "The policy's source zone."},
    "to_zone": {"type": "str", "default": "untrust",
                "description": "The policy's destination zone, whose address book gets the objects."},
}


def render(model: dict, **options) -> dict:
    """Render the Junos payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    prefix = opts["prefix"]
    from_zone = _common.check_name(VENDOR, "from_zone", opts["from_zone"])
    to_zone = _common.check_name(VENDOR, "to_zone", opts["to_zone"])
    if opts["position"] == "top" and opts["anchor"] in (None, ""):
        raise _common.VendorRenderError(
            f"position top needs anchor, the name of the current first policy "
            f"from {from_zone} to {to_zone} (Junos inserts a policy before or after another one)", VENDOR)
    if opts["anchor"] not in (None, ""):
        _common.check_name(VENDOR, "anchor", str(opts["anchor"]))  # goes into a CLI line: no spaces
    policy_name = _common.owned_rule_name(VENDOR, opts)
    fqdn_names = _common.host_names(VENDOR, prefix, model["fqdns"])
    cidr_names = _common.host_names(VENDOR, prefix, list(model["cidrs4"]) + list(model["cidrs6"]), "net-")
    comment = _common.stamped_comment(VENDOR, opts, model)
    addresses = [{"name": fqdn_names[h], "dns_name": {"name": h}, "description": comment} for h in model["fqdns"]]
    addresses += [{"name": cidr_names[c], "ip_prefix": c, "description": comment}
                  for c in list(model["cidrs4"]) + list(model["cidrs6"])]
    set_name = f"{prefix}-destinations"
    zones = None
    if addresses:
        zones = {"zones": [{"name": to_zone, "address_book": {
            "addresses": addresses,
            "address_sets": [{"name": set_name, "addresses": [a["name"] for a in addresses], "description": comment}],
        }}]}

    application_lines = []
    app_names = []
    for item in _common.services(model, prefix):
        app_names.append(item["name"])
        application_lines += [
            f"set applications application {item['name']} protocol {item['protocol']}",
            f"set applications application {item['name']} destination-port {item['port']}",
        ]
    app_set = f"{prefix}-services"
    application_lines += [f"set applications application-set {app_set} application {name}" for name in app_names]

    policies = None
    policy_lines = []
    if zones and app_names:
        policies = {"from_zones": [{"name": from_zone, "to_zones": [{"name": to_zone, "policies": [{
            "name": policy_name,
            "description": comment,
            "match": {
                "source_address": {"any": True},
                "destination_address": {"addresses": [set_name]},
                "application": {"names": [app_set]},
            },
            # An empty "permit" is dropped by the module (remove_empties): the permit goes in policy_lines.
            "then": {"log": {"session_init": True, "session_close": True}},
        }]}]}]}
        policy_path = f"security policies from-zone {from_zone} to-zone {to_zone} policy {policy_name}"
        policy_lines.append(f"set {policy_path} then permit")
        if opts["position"] != "bottom":
            where = "after" if opts["position"] == "after" else "before"
            policy_lines.append(f"insert {policy_path} {where} policy {opts['anchor']}")
    delete_lines = []
    if policies:
        delete_lines.append(f"delete security policies from-zone {from_zone} to-zone {to_zone} policy {policy_name}")
    if app_names:
        delete_lines.append(f"delete applications application-set {app_set}")
        delete_lines += [f"delete applications application {name}" for name in app_names]
    if zones:
        book = f"delete security zones security-zone {to_zone} address-book"
        delete_lines.append(f"{book} address-set {set_name}")
        delete_lines += [f"{book} address {a['name']}" for a in addresses]
    return {
        "vendor": VENDOR,
        "delete_lines": delete_lines,
        "zones": zones,
        "application_lines": application_lines,
        "policies": policies,
        "policy_lines": policy_lines,
        "warnings": _common.unexpressible_warnings(VENDOR, model),
    }

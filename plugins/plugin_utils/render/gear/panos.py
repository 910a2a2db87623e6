# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Allow-list model -> paloaltonetworks.panos payloads and the external dynamic list files the firewall pulls."""

from __future__ import annotations

import re

from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _common

FORMAT_DOC = """\
C(panos): payloads for paloaltonetworks.panos, a dict with C(address_objects) (panos_address_object: C(fqdn) per FQDN,
C(ip-netmask) per IPv4/IPv6 CIDR), C(address_group) (panos_address_group, static), C(url_category)
(panos_custom_url_category: C(*.domain) per wildcard plus the exact FQDNs; PAN-OS matches wildcards through URL
categories), C(services)/C(service_group) (panos_service_object/panos_service_group), C(security_rules)
(panos_security_rule: one allow rule for the address group, one for the URL category, logged at session end),
C(decryption_rule) (panos_decryption_rule, action no-decrypt for the URL category and the address group), C(edls)
(panos_edl entries when C(edl_base_url) is set) and C(edl_files) (file name -> content: the domain list and the IP list
the firewall pulls from C(edl_base_url)), C(commit) and C(warnings). Placement: C(anchor) is a rule name."""

VENDOR = "panos"
VENDOR_OPTIONS = {
    "from_zones": {"type": "list", "elements": "str", "default": ["any"],
                   "description": "Source zones of the rules (non-empty)."},
    "to_zones": {"type": "list", "elements": "str", "default": ["any"],
                 "description": "Destination zones of the rules (non-empty)."},
    "edl_base_url": {"type": "str",
                     "description": "HTTPS URL the EDL files are served from; null: no EDL objects."},
}
_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?\Z")
EDL_DOMAINS_FILE = "apple-domains.txt"
EDL_IPS_FILE = "apple-ips.txt"


def _location(opts: dict) -> dict:
    if opts["position"] in ("top", "bottom"):
        return {"location": opts["position"]}
    return {"location": opts["position"], "existing_rule": str(opts["anchor"])}


def _chain(rules: list) -> list:
    """Place the second rule next to the first so that a re-run moves nothing.

    panos_security_rule moves a rule unless it sits right next to its reference (``before``: the rule just above
    it; ``after``: just below; ``top``/``bottom``: first/last). Two rules with the same reference would displace each
    other on every run, so one takes the reference and the other is placed against it, in the order the tasks run:
    for ``before``/``bottom`` the second rule is placed first and the first goes ``before`` it; for ``after``/``top``
    the first rule is placed first and the second goes ``after`` it. The resulting order is the same: first, second.
    """
    first, second = rules
    if first["location"] in ("before", "bottom"):
        placed_first = {**first, "location": "before", "existing_rule": second["rule_name"]}
        return [second, placed_first]
    return [first, {**second, "location": "after", "existing_rule": first["rule_name"]}]


def render(model: dict, **options) -> dict:
    """Render the PAN-OS payloads for ``model`` (see FORMAT_DOC for the options)."""
    _common.require_model(VENDOR, model)
    opts = _common.check_options(VENDOR, options, VENDOR_OPTIONS)
    prefix = opts["prefix"]
    comment = _common.stamped_comment(VENDOR, opts, model)
    zones = {}
    for key in ("from_zones", "to_zones"):
        value = opts[key]
        if not isinstance(value, list) or not value:
            raise _common.VendorRenderError(f"{key} {value!r} must be a non-empty list of zone names", VENDOR)
        zones[key] = [_common.check_name(VENDOR, key, zone, 31) for zone in value]
    base_url = opts["edl_base_url"]
    if base_url is not None and (not isinstance(base_url, str) or not _URL_RE.match(base_url)):
        raise _common.VendorRenderError(
            f"edl_base_url {base_url!r} is not valid: an https:// URL without query or spaces", VENDOR)

    fqdn_names = _common.host_names(VENDOR, prefix, model["fqdns"])
    cidrs = list(model["cidrs4"]) + list(model["cidrs6"])
    cidr_names = _common.host_names(VENDOR, prefix, cidrs, "net-")
    address_objects = [
        {"name": fqdn_names[h], "value": h, "address_type": "fqdn", "description": comment} for h in model["fqdns"]
    ]
    address_objects += [
        {"name": cidr_names[c], "value": c, "address_type": "ip-netmask", "description": comment} for c in cidrs
    ]
    group_name = f"{prefix}-destinations"
    address_group = (
        {"name": group_name, "static_value": [a["name"] for a in address_objects], "description": comment}
        if address_objects else None
    )
    # URL category and EDL names are limited to 31 characters.
    category_name = f"{prefix}-domains"
    url_values = [f"*.{d}" for d in model["wildcards"]] + list(model["fqdns"])
    url_category = (
        {"name": category_name, "url_value": url_values, "type": "URL List", "description": comment}
        if url_values else None
    )
    services = [{"name": item["name"], "protocol": item["protocol"], "destination_port": item["port"],
                 "description": comment} for item in _common.services(model, prefix)]
    service_group = (
        {"name": f"{prefix}-services", "value": [s["name"] for s in services]} if services else None
    )
    rule_name = _common.owned_rule_name(VENDOR, opts)
    security_rules = []
    common = {
        "source_zone": zones["from_zones"],
        "destination_zone": zones["to_zones"],
        "source_ip": ["any"],
        "application": ["any"],
        "action": "allow",
        "log_start": False,
        "log_end": True,
        "description": comment,
    }
    if service_group and address_group:
        security_rules.append({"rule_name": rule_name, "destination_ip": [group_name], "category": ["any"],
                               "service": [service_group["name"]], **common, **_location(opts)})
    if service_group and url_category and model["wildcards"]:
        # Wildcards match by URL category, which sees only web traffic (HTTP Host, TLS SNI).
        security_rules.append({"rule_name": f"{rule_name}-wildcards", "destination_ip": ["any"],
                               "category": [category_name], "service": [service_group["name"]], **common,
                               **_location(opts)})
    if len(security_rules) == 2:
        security_rules = _chain(security_rules)
    decryption_rule = None
    if url_category or address_group:
        decryption_rule = {
            "name": f"{prefix}-no-decrypt",
            "description": comment,
            "source_zones": zones["from_zones"],
            "destination_zones": zones["to_zones"],
            "source_addresses": ["any"],
            "destination_addresses": ["any"],
            "url_categories": [category_name] if url_category else ["any"],
            "services": ["any"],
            "action": "no-decrypt",
            "location": "top",
        }
        if not url_category:
            decryption_rule["destination_addresses"] = [group_name]
    domain_lines = [f"*.{d}" for d in model["wildcards"]] + list(model["fqdns"])
    edl_files = {
        EDL_DOMAINS_FILE: "".join(f"{line}\n" for line in domain_lines),
        EDL_IPS_FILE: "".join(f"{cidr}\n" for cidr in cidrs),
    }
    edls = []
    if base_url:
        base = base_url.rstrip("/")
        edls = [
            {"name": f"{prefix}-edl-domains", "edl_type": "domain", "source": f"{base}/{EDL_DOMAINS_FILE}",
             "expand_domain": True, "repeat": "hourly", "description": comment},
            {"name": f"{prefix}-edl-ips", "edl_type": "ip", "source": f"{base}/{EDL_IPS_FILE}",
             "repeat": "hourly", "description": comment},
        ]
    return {
        "vendor": VENDOR,
        "address_objects": address_objects,
        "address_group": address_group,
        "url_category": url_category,
        "services": services,
        "service_group": service_group,
        "security_rules": security_rules,
        "decryption_rule": decryption_rule,
        "edls": edls,
        "edl_files": edl_files,
        "commit": {"description": comment},
        "warnings": [
            f"{VENDOR}: wildcard *.{d} is matched by URL category {category_name} (web traffic only: HTTP Host, "
            "TLS SNI); other protocols to its hosts need the FQDNs or Apple's CIDRs" for d in model["wildcards"]
        ],
    }

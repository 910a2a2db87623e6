# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The network gear payloads create, change and delete only what is the role's own.

An object, group or rule the role writes is named with the prefix; where the vendor names it otherwise (Check Point
DNS domains, VyOS rule numbers) what the device holds decides (plugins/plugin_utils/render/gear/_ownership.py). The
site's objects given as context (zones, layers, interfaces, rule sets, the ACL) are referenced, never created or
deleted. ``violations`` checks this for every vendor; the negative cases prove it can fail.
"""

from __future__ import annotations

import copy
import importlib
import re

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _ownership
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear._common import VendorRenderError

ENTRIES = [
    {"id": "devicemanagement.push.apple.com-wildcard", "section": "devicemanagement", "host": "*.push.apple.com",
     "tcp": [443, 5223], "udp": []},
    {"id": "devicesetup.albert.apple.com", "section": "devicesetup", "host": "albert.apple.com", "tcp": [443],
     "udp": []},
    {"id": "devicesetup.time.apple.com", "section": "devicesetup", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "firewall.17.0.0.0-8", "section": "firewall", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
    {"id": "firewall.2620.149..-48", "section": "firewall", "host": "2620:149::/48", "tcp": [443], "udp": []},
]
MODEL = build_allowlist(ENTRIES)
PREFIX = "apple"
TAGGED = ("netallow.apple: Apple network requirements "
          "(netallow.apple stamp: catalog_version=1 selection=sha256:0 names=1)")

# The site's own Check Point DNS domain, named like one of the selection's, and its VyOS rule set: rule 10 and rule
# 9001 are the site's, rules 9000 and 9002 the role's from an earlier run.
SITE_DNS_DOMAINS = [
    {"name": ".time.apple.com", "is-sub-domain": False, "comments": "site: NTP for the lab"},
    {"name": ".albert.apple.com", "is-sub-domain": False, "comments": TAGGED},
]
VYOS_RUNNING = f"""\
set firewall group network-group LAN network '10.0.0.0/8'
set firewall ipv4 name LAN-OUT default-action 'drop'
set firewall ipv4 name LAN-OUT rule 10 action 'accept'
set firewall ipv4 name LAN-OUT rule 10 description 'site: DNS to the resolvers'
set firewall ipv4 name LAN-OUT rule 10 destination port '53'
set firewall ipv4 name LAN-OUT rule 10 protocol 'udp'
set firewall ipv4 name LAN-OUT rule 9000 action 'accept'
set firewall ipv4 name LAN-OUT rule 9000 description '{TAGGED} (tcp to APPLE-NET4)'
set firewall ipv4 name LAN-OUT rule 9001 action 'drop'
set firewall ipv4 name LAN-OUT rule 9001 description 'site: no telnet'
set firewall ipv4 name LAN-OUT rule 9002 action 'accept'
set firewall ipv4 name LAN-OUT rule 9002 description '{TAGGED} (udp to APPLE-NET4)'
set firewall ipv6 name LAN-OUT rule 9003 action 'accept'
set firewall ipv6 name LAN-OUT rule 9003 log
set interfaces ethernet eth0 firewall out name 'LAN-OUT'
"""

# FortiOS: policy 3 and exemption 1 are the site's; policy 4000 and exemption 4000 the role's from an earlier run.
SITE_POLICIES = [{"policyid": 1, "name": "lan-dns"}, {"policyid": 3, "name": "apple-site", "comments": "site"},
                 {"policyid": 4000, "name": "apple-allow", "comments": TAGGED}]
SITE_EXEMPT = [{"id": 1, "type": "fortiguard-category", "fortiguard-category": 31},
               {"id": 2, "type": "address", "address": "printer"},
               {"id": 4000, "type": "wildcard-fqdn", "wildcard-fqdn": "apple-push.apple.com"}]

# The options that point each vendor at the site's own context objects.
CONTEXT = {
    "fortios": {"srcintf": ["port1"], "dstintf": ["wan1"], "ssl_ssh_profile": "deep-inspection",
                "existing_policies": SITE_POLICIES, "existing_ssl_exempt": SITE_EXEMPT},
    "checkpoint": {"layer": "Network", "https_layer": "Default Layer", "policy_package": "standard",
                   "targets": ["gw1"], "existing_dns_domains": SITE_DNS_DOMAINS},
    "asa": {"rule_name": "inside_access_in"},
    "junos": {"from_zone": "trust", "to_zone": "untrust"},
    "vyos": {"rule_name": "LAN-OUT", "position": "top", "running_config": VYOS_RUNNING},
    "panos": {"from_zones": ["trust"], "to_zones": ["untrust"], "edl_base_url": "https://edl.example.net/apple"},
}
CONTEXT_NAMES = {"port1", "wan1", "deep-inspection", "Network", "Default Layer", "standard", "gw1",
                 "inside_access_in", "trust", "untrust", "LAN-OUT"}


def render(vendor: str, **options) -> dict:
    module = importlib.import_module(f"ansible_collections.netallow.apple.plugins.plugin_utils.render.gear.{vendor}")
    return module.render(MODEL, **{**CONTEXT[vendor], **options})


def _own(name) -> bool:
    return isinstance(name, str) and name.lower().startswith(f"{PREFIX}-")


def _names(items) -> list:
    return [item["name"] for item in items or [] if item]


# ---------------------------------------------------------------------------------------------- the cross check
def _fortios(payload: dict) -> list:
    written = _names(payload["addresses"]) + _names(payload["addresses6"]) + _names(payload["wildcard_fqdns"])
    written += _names([payload["addrgrp"], payload["addrgrp6"], payload["service_group"]]) + _names(payload["services"])
    written += [payload["policy"]["name"]] if payload["policy"] else []
    found = [f"fortios writes {name!r}" for name in written if not _own(name)]
    # Interfaces and the SSL/SSH profile are the site's: referenced by name only; the exemptions name own objects.
    if payload["policy"]:
        for key in ("srcintf", "dstintf"):
            found += [f"fortios policy {key} {i['name']!r} is not the given context"
                      for i in payload["policy"][key] if i["name"] not in CONTEXT["fortios"][key]]
    found += [f"fortios ssl-exempt names {e.get('wildcard_fqdn', e.get('address'))!r}"
              for e in payload["ssl_exempt"] if not _own(e.get("wildcard_fqdn", e.get("address")))]
    # Numbered: the policy and the exemptions must not take or remove an id the site's entry holds.
    site_policies = {p["policyid"] for p in SITE_POLICIES if not _ownership.is_owned(p.get("comments"))}
    if payload["policy"] and payload["policy"]["policyid"] in site_policies:
        found.append(f"fortios writes the site's policy {payload['policy']['policyid']}")
    site_exempt = {e["id"] for e in SITE_EXEMPT if not _own(e.get("wildcard-fqdn") or e.get("address"))}
    found += [f"fortios writes or removes the site's exemption {e['id']}"
              for e in payload["ssl_exempt"] + payload["ssl_exempt_remove"] if e["id"] in site_exempt]
    return found


def _checkpoint(payload: dict) -> list:
    site = {d["name"].lower() for d in SITE_DNS_DOMAINS if not _ownership.is_owned(d["comments"])}
    found = [f"checkpoint writes the site's DNS domain {d['name']!r}" for d in payload["dns_domains"]
             if d["name"].lower() in site]
    found += [f"checkpoint DNS domain {d['name']!r} is not a domain object" for d in payload["dns_domains"]
              if not d["name"].startswith(".")]
    written = _names(payload["networks"]) + _names(payload["services_tcp"]) + _names(payload["services_udp"])
    written += _names([payload["group"], payload["service_group"], payload["access_rule"], payload["https_rule"]])
    found += [f"checkpoint writes {name!r}" for name in written if not _own(name)]
    for rule, layer in ((payload["access_rule"], "Network"), (payload["https_rule"], "Default Layer")):
        if rule and rule["layer"] != layer:
            found.append(f"checkpoint rule {rule['name']!r} goes into layer {rule['layer']!r}, not the given one")
    return found


_ASA_DELETE = (
    re.compile(r"^no access-list (?P<acl>\S+) extended permit object-group (?P<svc>\S+) any object-group (?P<dst>\S+)"
               r" log informational$"),
    re.compile(r"^no object-group (?:service|network) (?P<own>\S+)$"),
    re.compile(r"^no object network (?P<own>\S+)$"),
)


def _asa(payload: dict) -> list:
    written = _names(payload["fqdn_objects"])
    written += [group["name"] for og in payload["ogs"] for group in og["object_groups"]]
    found = [f"asa writes {name!r}" for name in written if not _own(name)]
    # The ACL is the site's (rule_name): the role adds one entry to it and removes exactly that entry.
    for acl in (payload["acls"] or {}).get("acls", []):
        found += [] if acl["name"] == "inside_access_in" else [f"asa writes ACL {acl['name']!r}"]
    for line in payload["delete_lines"]:
        match = next((m for m in (p.match(line) for p in _ASA_DELETE) if m), None)
        if match is None:
            found.append(f"asa deletes {line!r}, which is not one exact object or entry of the role")
        elif not all(_own(name) for key, name in match.groupdict().items() if key != "acl"):
            found.append(f"asa deletes {line!r}, which names an object that is not the role's")
    return found


_JUNOS_OWN_LINE = re.compile(
    r"^(?:set|delete) (?:applications application(?:-set)? (?P<app>\S+)"
    r"|security policies from-zone (?P<from>\S+) to-zone (?P<to>\S+) policy (?P<policy>\S+)"
    r"|security zones security-zone (?P<zone>\S+) address-book address(?:-set)? (?P<address>\S+))(?: .*)?$")


def _junos(payload: dict) -> list:
    found = []
    for zone in (payload["zones"] or {}).get("zones", []):
        found += [] if zone["name"] == "untrust" else [f"junos writes zone {zone['name']!r}"]
        book = zone["address_book"]
        names = _names(book["addresses"]) + _names(book["address_sets"])
        found += [f"junos writes {n!r}" for n in names if not _own(n)]
    for from_zone in (payload["policies"] or {}).get("from_zones", []):
        for to_zone in from_zone["to_zones"]:
            found += [f"junos writes policy {n!r}" for n in _names(to_zone["policies"]) if not _own(n)]
    for line in payload["application_lines"] + payload["policy_lines"] + payload["delete_lines"]:
        if line.startswith("insert "):  # moves the role's policy next to the anchor
            line = line.split(" before policy ")[0].split(" after policy ")[0].replace("insert ", "set ", 1)
        match = _JUNOS_OWN_LINE.match(line)
        if match is None:
            found.append(f"junos sends {line!r}, which is not about one object of the role")
            continue
        own = [match[k] for k in ("app", "policy", "address") if match[k]]
        context = [match[k] for k in ("from", "to", "zone") if match[k]]
        if not all(_own(name) for name in own) or not set(context) <= CONTEXT_NAMES:
            found.append(f"junos sends {line!r}, which names an object that is not the role's")
    return found


_VYOS_LINE = re.compile(
    r"^(?P<verb>set|delete) firewall (?:group (?:network-group|ipv6-network-group|port-group|domain-group) "
    r"(?P<group>\S+)|(?P<family>ipv4|ipv6) name (?P<rule_set>\S+) rule (?P<number>[0-9]+))(?: .*)?$")


def _vyos(payload: dict, running: str) -> list:
    rules = _ownership.vyos_rules(running)
    found = []
    for line in payload["lines"] + payload["delete_lines"]:
        match = _VYOS_LINE.match(line)
        if match is None:
            found.append(f"vyos sends {line!r}, which is not about one group or rule")
        elif match["group"] is not None:
            if not _own(match["group"]):
                found.append(f"vyos sends {line!r} for a group that is not the role's")
        else:
            key = (match["family"], match["rule_set"], int(match["number"]))
            if match["rule_set"] not in CONTEXT_NAMES:
                found.append(f"vyos sends {line!r} into a rule set that is not the given one")
            if key in rules and not _ownership.is_owned(rules[key]):
                found.append(f"vyos sends {line!r}, which changes or deletes the site's rule")
            if match["verb"] == "delete" and key not in rules:
                found.append(f"vyos deletes {line!r}, a rule the device does not have")
    return found


def _panos(payload: dict) -> list:
    written = _names(payload["address_objects"]) + _names(payload["services"]) + _names(payload["edls"])
    written += _names([payload["address_group"], payload["url_category"], payload["service_group"],
                       payload["decryption_rule"]])
    written += [rule["rule_name"] for rule in payload["security_rules"]]
    found = [f"panos writes {name!r}" for name in written if not _own(name)]
    for rule in payload["security_rules"]:
        if rule["source_zone"] != ["trust"] or rule["destination_zone"] != ["untrust"]:
            found.append(f"panos rule {rule['rule_name']!r} is not between the given zones")
    return found


def violations(vendor: str, payload: dict) -> list:
    """Every write or delete of the payload that is not the role's own (empty: the payload is clean)."""
    if vendor == "vyos":
        return _vyos(payload, CONTEXT["vyos"]["running_config"])
    return {"fortios": _fortios, "checkpoint": _checkpoint, "asa": _asa, "junos": _junos, "panos": _panos}[vendor](
        payload)


@pytest.mark.parametrize("position", ["top", "bottom"])
@pytest.mark.parametrize("vendor", sorted(CONTEXT))
def test_payloads_touch_only_the_roles_own_objects(vendor, position):
    options = {"position": position}
    if vendor in ("fortios", "junos") and position == "top":
        options["anchor"] = "1" if vendor == "fortios" else "allow-dns"
    if vendor == "vyos" and position == "bottom":
        # Rules 9000-9005: 9001 is the site's, so the renderer reports it instead of writing it (tested below);
        # before the site's rule 10 (rules 4-9) nothing is the site's.
        options = {"position": "before", "anchor": 10}
    payload = render(vendor, **options)
    assert violations(vendor, payload) == []
    assert payload.get("conflicts", []) == []


NEGATIVE = {
    "fortios": lambda p: p["ssl_exempt_remove"].append({"id": 2, "type": "address", "address": "apple-printer"}),
    "checkpoint": lambda p: p["dns_domains"].append({"name": ".time.apple.com", "is_sub_domain": False}),
    "asa": lambda p: p["delete_lines"].append("no access-list inside_access_in"),
    "junos": lambda p: p["delete_lines"].append("delete security zones security-zone untrust"),
    "vyos": lambda p: p["delete_lines"].append("delete firewall ipv4 name LAN-OUT rule 10"),
    "panos": lambda p: p["security_rules"][0].update(rule_name="allow-all"),
}


@pytest.mark.parametrize("vendor", sorted(NEGATIVE))
def test_a_payload_that_touches_a_site_object_is_caught(vendor):
    payload = copy.deepcopy(render(vendor, position="top", anchor="1" if vendor == "fortios" else "allow-dns"))
    assert violations(vendor, payload) == []
    NEGATIVE[vendor](payload)
    assert len(violations(vendor, payload)) == 1


# ---------------------------------------------------------------------------------------------- Check Point DNS domains
def test_plan_dns_domains_keeps_the_sites_and_writes_the_roles():
    planned = [{"name": ".push.apple.com", "is_sub_domain": True, "comments": TAGGED},
               {"name": ".time.apple.com", "is_sub_domain": False, "comments": TAGGED},
               {"name": ".albert.apple.com", "is_sub_domain": False, "comments": TAGGED}]
    existing = [{"name": ".TIME.apple.com", "is-sub-domain": False, "comments": "site"},
                {"name": ".albert.apple.com", "is-sub-domain": False, "comments": "older " + TAGGED},
                {"name": ".other.example", "comments": "site"}, "not an object", {"comments": "no name"}]
    plan = _ownership.plan_dns_domains(planned, existing)
    assert [d["name"] for d in plan["write"]] == [".push.apple.com", ".albert.apple.com"]
    assert plan["kept"] == [".TIME.apple.com"] and plan["warnings"] == []


def test_plan_dns_domains_warns_when_the_sites_object_matches_otherwise():
    planned = [{"name": ".push.apple.com", "is_sub_domain": True, "comments": TAGGED}]
    plan = _ownership.plan_dns_domains(planned, [{"name": ".push.apple.com", "is-sub-domain": False, "comments": ""}])
    assert plan["write"] == [] and plan["kept"] == [".push.apple.com"]
    assert plan["warnings"] == [
        "checkpoint: DNS domain .push.apple.com is the site's own (its comments do not carry netallow.apple): it is "
        "used as it is, but it matches the exact name only where the selection needs sub-domains too"]


def test_checkpoint_uses_the_sites_dns_domain_as_a_member_only():
    payload = render("checkpoint", position="bottom")
    assert [d["name"] for d in payload["dns_domains"]] == [".push.apple.com", ".albert.apple.com"]
    assert payload["dns_domains_kept"] == [".time.apple.com"]
    assert payload["group"]["members"][:3] == [".push.apple.com", ".albert.apple.com", ".time.apple.com"]
    # Not known (render-only mode): every domain is written, as before.
    unknown = render("checkpoint", existing_dns_domains=None)
    assert len(unknown["dns_domains"]) == 3 and unknown["dns_domains_kept"] == []


def test_checkpoint_refuses_to_guess_ownership_without_the_tag():
    model = {key: value for key, value in MODEL.items() if key != "stamp"}
    module = importlib.import_module("ansible_collections.netallow.apple.plugins.plugin_utils.render.gear.checkpoint")
    with pytest.raises(VendorRenderError, match="comment 'Apple' must carry 'netallow.apple'"):
        module.render(model, comment="Apple", existing_dns_domains=[])
    assert module.render(model, comment="Apple")["dns_domains"]  # without device data, nothing to decide


# ---------------------------------------------------------------------------------------------- VyOS rule numbers
def test_vyos_rules_reads_show_configuration_commands():
    rules = _ownership.vyos_rules(VYOS_RUNNING + "set firewall ipv4 name X rule 7 description 'unbalanced\n")
    assert rules[("ipv4", "LAN-OUT", 10)] == "site: DNS to the resolvers"
    assert rules[("ipv4", "LAN-OUT", 9000)] == f"{TAGGED} (tcp to APPLE-NET4)"
    assert rules[("ipv6", "LAN-OUT", 9003)] is None
    assert rules[("ipv4", "X", 7)] == "'unbalanced"
    expected = {("ipv4", "LAN-OUT", n) for n in (10, 9000, 9001, 9002)} | {("ipv6", "LAN-OUT", 9003), ("ipv4", "X", 7)}
    assert set(rules) == expected
    assert _ownership.vyos_rules("") == {} and _ownership.vyos_rules(None) == {}


def test_vyos_refuses_a_rule_number_of_the_sites_naming_it():
    payload = render("vyos", position="bottom")
    assert payload["conflicts"] == [
        "rule 9001 of firewall ipv4 name LAN-OUT is the site's own rule (description 'site: no telnet', no "
        "'netallow.apple'): the role would overwrite it; choose a place where rules 9000-9005 are free (position top, "
        "bottom, or before/after another anchor) or another rule set (rule_name)",
        "rule 9003 of firewall ipv6 name LAN-OUT is the site's own rule (no description, no 'netallow.apple'): the "
        "role would overwrite it; choose a place where rules 9000-9005 are free (position top, bottom, or "
        "before/after another anchor) or another rule set (rule_name)",
    ]
    # The payload numbers ipv4 rules 9000-9001 and ipv6 rules 9002-9003: ipv4 9001 and ipv6 9003 are the site's.
    assert "set firewall ipv4 name LAN-OUT rule 9001 action accept" in payload["lines"]


def test_vyos_absent_deletes_only_the_roles_rules():
    payload = render("vyos", position="bottom")
    rules = [line for line in payload["delete_lines"] if " rule " in line]
    # 9000 (ipv4) is the role's; 9001 (ipv4) the site's; 9002 (ipv6) and the others do not exist on the device.
    assert rules == ["delete firewall ipv4 name LAN-OUT rule 9000"]
    assert "delete firewall group port-group APPLE-TCP" in payload["delete_lines"]
    # Not known (render-only mode): the lines of every rule the role would write.
    assert len([line for line in render("vyos", running_config=None)["delete_lines"] if " rule " in line]) == 6


def test_vyos_refuses_to_guess_ownership_without_the_tag():
    model = {key: value for key, value in MODEL.items() if key != "stamp"}
    module = importlib.import_module("ansible_collections.netallow.apple.plugins.plugin_utils.render.gear.vyos")
    with pytest.raises(VendorRenderError, match="comment 'Apple' must carry 'netallow.apple'"):
        module.render(model, comment="Apple", running_config="")


# ---------------------------------------------------------------------------------------------- FortiOS numbers
def test_fortios_refuses_the_sites_policy_id_and_exemption_ids():
    payload = render("fortios", policyid=3, exempt_id_base=1)
    assert payload["conflicts"] == [
        "policy 3 (apple-site) is the site's own policy (its comments do not carry 'netallow.apple'): the role would "
        "overwrite it; choose a free policyid",
        "ssl-exempt id 1 of profile deep-inspection holds the site's exemption (fortiguard-category): the role would "
        "overwrite it; choose an exempt_id_base with 3 free ids",
        "ssl-exempt id 2 of profile deep-inspection holds the site's exemption (address printer): the role would "
        "overwrite it; choose an exempt_id_base with 3 free ids",
    ]
    # State absent takes neither the site's policy nor its exemptions (id 3 is free on the device).
    assert payload["policy_remove"] is False and payload["ssl_exempt_remove"] == []


def test_fortios_removes_only_its_own_policy_and_exemptions():
    payload = render("fortios")
    assert payload["conflicts"] == [] and payload["policy_remove"] is True
    assert [e["id"] for e in payload["ssl_exempt_remove"]] == [4000]  # 4001 and 4002 are not on the device
    free = render("fortios", policyid=4100)
    assert free["conflicts"] == [] and free["policy_remove"] is False  # nothing there to remove
    unknown = render("fortios", existing_policies=None, existing_ssl_exempt=None)
    assert unknown["policy_remove"] is True and unknown["ssl_exempt_remove"] == unknown["ssl_exempt"]


def test_fortios_exempt_conflicts():
    planned = [{"id": 1}, {"id": 2}, {"id": 4000}, {"id": 4001}]
    conflicts, removable = _ownership.fortios_exempt_conflicts(planned, SITE_EXEMPT + ["junk", {"type": "x"}], "apple")
    assert conflicts == [{"id": 1, "holds": "fortiguard-category"}, {"id": 2, "holds": "address printer"}]
    assert removable == [{"id": 4000}]


# ---------------------------------------------------------------------------------------------- rules found by name
@pytest.mark.parametrize("vendor", ["checkpoint", "junos", "panos"])
def test_a_rule_found_by_name_must_carry_the_prefix(vendor):
    with pytest.raises(VendorRenderError, match=r"rule_name 'Cleanup' must start with the prefix and a dash"):
        render(vendor, rule_name="Cleanup")
    assert violations(vendor, render(vendor, rule_name="apple-mdm")) == []


@pytest.mark.parametrize("vendor", ["asa", "vyos"])
def test_a_container_named_by_rule_name_may_be_the_sites(vendor):
    """ASA's ACL and VyOS's rule set are the site's context: the role adds to them, never creates or deletes them."""
    payload = render(vendor)
    assert violations(vendor, payload) == []
    assert not any(line in ("no access-list inside_access_in", "delete firewall ipv4 name LAN-OUT")
                   for line in payload["delete_lines"])

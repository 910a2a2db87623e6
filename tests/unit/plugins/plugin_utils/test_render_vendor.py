# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the network vendor renderers (pure functions over the allow-list model)."""

from __future__ import annotations

import importlib
import re

import pytest

from ansible_collections.netallow.apple.plugins.module_utils._stamp import read_stamp, stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear._common import (
    CAPABILITIES,
    NAME_RULES,
    VendorRenderError,
)

VENDORS = ("fortios", "checkpoint", "asa", "junos", "vyos", "panos")
ENTRIES = [
    {"id": "devicemanagement.push.apple.com-wildcard", "section": "devicemanagement", "host": "*.push.apple.com",
     "tcp": [443, 80, 5223, 2197], "udp": []},
    {"id": "devicesetup.albert.apple.com", "section": "devicesetup", "host": "albert.apple.com", "tcp": [443],
     "udp": []},
    {"id": "devicesetup.time.apple.com", "section": "devicesetup", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "contentcaching.lcdn-locator.apple.com", "section": "contentcaching", "host": "lcdn-locator.apple.com",
     "tcp": ["8000-8999"], "udp": []},
    {"id": "firewall.17.0.0.0-8", "section": "firewall", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
    {"id": "firewall.2620.149..-48", "section": "firewall", "host": "2620:149::/48", "tcp": [443], "udp": []},
]
MODEL = build_allowlist(ENTRIES)
STAMPED = f"netallow.apple: Apple network requirements ({stamp_lines(MODEL['stamp'])[0]})"


def render(vendor, model=None, **options):
    module = importlib.import_module(f"ansible_collections.netallow.apple.plugins.plugin_utils.render.gear.{vendor}")
    return module.render(MODEL if model is None else model, **options)


def _names(payload) -> list:
    """Every object name a payload defines."""
    found = []
    for value in payload.values() if isinstance(payload, dict) else payload:
        if isinstance(value, dict):
            if "name" in value and isinstance(value["name"], str):
                found.append(value["name"])
            found += _names(value)
        elif isinstance(value, list):
            found += _names(value)
    return found


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_renderer_is_deterministic_and_names_its_vendor(vendor):
    assert render(vendor) == render(vendor)
    assert render(vendor)["vendor"] == vendor


@pytest.mark.parametrize("vendor", ["fortios", "asa", "junos", "panos"])
def test_object_names_follow_vendor_rules(vendor):
    rules = NAME_RULES[vendor]
    allowed = re.compile(f"^[{rules['allowed']}]+$")
    names = _names(render(vendor))
    assert names
    for name in names:
        assert len(name) <= rules["max_length"] and allowed.match(name), name


def test_long_names_are_truncated_with_a_stable_hash():
    long_host = "a" * 60 + ".apple.com"
    model = build_allowlist([{"id": "x.long", "section": "extra", "host": long_host, "tcp": [443], "udp": []}])
    names = [a["name"] for a in render("asa", model)["fqdn_objects"]]
    assert len(names[0]) <= 64 and re.search(r"_[0-9a-f]{8}$", names[0])
    assert names == [a["name"] for a in render("asa", model)["fqdn_objects"]]


def test_fortios_objects_policy_and_exemption():
    out = render("fortios", position="before", anchor=7, ssl_ssh_profile="deep-inspection", policyid=900)
    by_name = {a["name"]: a for a in out["addresses"]}
    assert by_name["apple-albert.apple.com"] == {
        "name": "apple-albert.apple.com", "type": "fqdn", "fqdn": "albert.apple.com", "comment": STAMPED}
    assert [a["fqdn"] for a in out["addresses"] if a.get("fqdn", "").startswith("*.")] == [
        "*.push.apple.com"]
    assert out["addresses6"][0]["ip6"] == "2620:149::/48"
    assert {s["name"]: s.get("tcp_portrange", s.get("udp_portrange")) for s in out["services"]} == {
        "apple-tcp-80": "80", "apple-tcp-443": "443", "apple-tcp-2197": "2197", "apple-tcp-5223": "5223",
        "apple-tcp-8000-8999": "8000-8999", "apple-udp-123": "123"}
    assert out["policy"]["policyid"] == 900 and out["policy"]["logtraffic"] == "all"
    assert out["move"] == {"self": "900", "before": "7"}
    assert [e["type"] for e in out["ssl_exempt"]] == ["wildcard-fqdn", "address", "address", "address"]
    assert out["ssl_exempt"][0]["id"] == 4000
    assert render("fortios")["move"] is None and render("fortios")["ssl_exempt"] == []


def test_checkpoint_wildcards_are_subdomains_and_rules_bypass():
    out = render("checkpoint", position="top", layer="Network")
    domains = {d["name"]: d["is_sub_domain"] for d in out["dns_domains"]}
    assert domains[".push.apple.com"] is True and domains[".albert.apple.com"] is False
    assert out["access_rule"]["position"] == "top" and out["access_rule"]["action"] == "Accept"
    assert out["https_rule"]["action"] == "Bypass" and out["https_rule"]["destination"] == ["apple-destinations"]
    assert {n.get("subnet4") or n.get("subnet6") for n in out["networks"]} == {"17.0.0.0", "2620:149::"}
    assert render("checkpoint", position="after", anchor="Cleanup rule")["access_rule"]["relative_position"] == {
        "below": "Cleanup rule"}


@pytest.mark.parametrize("vendor", ["asa", "junos", "vyos"])
def test_platforms_without_wildcards_warn(vendor):
    warnings = render(vendor)["warnings"]
    assert len(warnings) == 1 and "*.push.apple.com" in warnings[0]
    assert CAPABILITIES[vendor]["wildcard"] is None


def test_asa_object_groups_and_ace():
    out = render("asa", position="after", anchor="4", rule_name="outside_in")
    network = out["ogs"][0]["object_groups"][0]["network_object"]
    assert network["address"] == ["17.0.0.0 255.0.0.0"] and network["ipv6_address"] == ["2620:149::/48"]
    assert "apple-time.apple.com" in network["object"]
    services = out["ogs"][1]["object_groups"][0]["services_object"]
    assert {"protocol": "tcp", "destination_port": {"range": {"start": 8000, "end": 8999}}} in services
    ace = out["acls"]["acls"][0]["aces"][0]
    assert ace["line"] == 5 and ace["protocol"] == "object-group apple-services" and ace["log"] == "informational"
    assert out["acls"]["acls"][0]["name"] == "outside_in"
    assert out["delete_lines"][0] == (
        "no access-list outside_in extended permit object-group apple-services any object-group apple-destinations "
        "log informational")


def test_junos_policy_permit_and_placement():
    out = render("junos", position="after", anchor="allow-dns", from_zone="lan", to_zone="wan")
    book = out["zones"]["zones"][0]
    assert book["name"] == "wan"
    assert {"name": "apple-albert.apple.com", "dns_name": {"name": "albert.apple.com"}, "description": STAMPED} \
        in book["address_book"]["addresses"]
    assert out["policy_lines"] == [
        "set security policies from-zone lan to-zone wan policy apple-allow then permit",
        "insert security policies from-zone lan to-zone wan policy apple-allow after policy allow-dns"]
    assert "set applications application apple-tcp-8000-8999 destination-port 8000-8999" in out["application_lines"]


def test_vyos_rule_numbers_and_groups():
    out = render("vyos", position="before", anchor=100)
    rules = sorted({int(line.split(" rule ")[1].split()[0]) for line in out["lines"] if " rule " in line})
    assert rules == list(range(100 - len(rules), 100))
    assert "set firewall group domain-group APPLE-FQDN address albert.apple.com" in out["lines"]
    assert "set firewall group ipv6-network-group APPLE-NET6 network 2620:149::/48" in out["lines"]
    assert len(out["delete_lines"]) == len(rules) + 5
    with pytest.raises(VendorRenderError, match="no room"):
        render("vyos", position="before", anchor=2)


def test_panos_url_category_decryption_and_edl():
    out = render("panos", edl_base_url="https://edl.example.net/apple/")
    assert out["url_category"]["url_value"][0] == "*.push.apple.com"
    assert out["decryption_rule"]["action"] == "no-decrypt"
    assert out["decryption_rule"]["url_categories"] == ["apple-domains"]
    rules = {r["rule_name"]: r for r in out["security_rules"]}
    assert rules["apple-allow-wildcards"]["category"] == ["apple-domains"]
    assert (rules["apple-allow"]["location"], rules["apple-allow"]["existing_rule"]) == ("before",
                                                                                         "apple-allow-wildcards")
    assert out["edls"][0]["source"] == "https://edl.example.net/apple/apple-domains.txt"
    assert out["edl_files"]["apple-domains.txt"].splitlines()[0] == "*.push.apple.com"
    assert out["edl_files"]["apple-ips.txt"] == "17.0.0.0/8\n2620:149::/48\n"
    assert len(out["warnings"]) == 1


def _comments(payload) -> list:
    """Every comment or description a payload gives (objects, groups, rules; CLI lines included)."""
    found = []
    for key, value in payload.items() if isinstance(payload, dict) else enumerate(payload):
        if isinstance(value, str) and (key in ("comment", "comments", "description")
                                       or re.search(r"\bdescription ", value)):
            found.append(value)
        elif isinstance(value, (dict, list)):
            found += _comments(value)
    return found


# What each vendor's payload holds that has a comment field (the fields the stamp must reach).
COMMENTED = {
    "fortios": ("addresses", "addresses6", "wildcard_fqdns", "addrgrp", "addrgrp6", "services", "service_group",
                "policy"),
    "checkpoint": ("dns_domains", "networks", "group", "services_tcp", "services_udp", "service_group",
                   "access_rule", "https_rule"),
    # panos_service_group has no description field.
    "panos": ("address_objects", "address_group", "url_category", "services", "security_rules", "decryption_rule",
              "edls", "commit"),
    "asa": ("fqdn_objects", "ogs"),
    "junos": ("zones", "policies"),
    "vyos": ("lines",),
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_object_comment_carries_the_stamp(vendor):
    model = build_allowlist(ENTRIES, catalog_version="2026.3.1")
    extra = {"fortios": {"ssl_ssh_profile": "deep-inspection"}, "panos": {"edl_base_url": "https://edl.example.net"}}
    out = render(vendor, model, **extra.get(vendor, {}))
    comments = _comments(out)
    assert comments
    for comment in comments:
        found = read_stamp(comment)
        assert found and (found["catalog_version"], found["digest"]) == ("2026.3.1", model["stamp"]["digest"]), \
            comment
    for key in COMMENTED[vendor]:
        if out.get(key) not in (None, [], {}):
            assert _comments(out[key]), f"{vendor} {key} has no comment"
    # Another catalog version changes every comment, and with it what the vendor module sends.
    newer = render(vendor, build_allowlist(ENTRIES, catalog_version="2026.3.2"))
    assert all(read_stamp(comment)["catalog_version"] == "2026.3.2" for comment in _comments(newer))


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_comment_too_long_for_the_field_with_the_stamp_is_refused(vendor):
    with pytest.raises(VendorRenderError, match=f"comment 'c+' is too long to carry the stamp on {vendor}: .* use a "
                                                r"comment of at most [0-9]+ characters") as excinfo:
        render(vendor, comment="c" * 200)
    room = int(re.search(r"at most ([0-9]+) characters", str(excinfo.value)).group(1))
    assert 100 <= room < 200
    assert render(vendor, comment="c" * room)["vendor"] == vendor  # the room the message names is right
    with pytest.raises(VendorRenderError, match="too long to carry the stamp"):
        render(vendor, comment="c" * (room + 1))


@pytest.mark.parametrize(("vendor", "options", "message"), [
    ("fortios", {"position": "middle"},
     "render(fortios): option position 'middle': not a valid choice; valid choices: top, bottom, before"),
    ("fortios", {"position": "before"}, "needs anchor"),
    ("fortios", {"bogus": 1}, "render(fortios): option(s) bogus: unknown; valid options:"),
    ("fortios", {"srcintf": ["port1; rm -rf /"]}, "srcintf 'port1; rm -rf /' is not a valid name"),
    ("checkpoint", {"position": "before", "anchor": "x'; drop"}, "anchor \"x'; drop\" is not a valid rule name"),
    ("asa", {"position": "before", "anchor": "first"}, "must be an ACE line number"),
    ("asa", {"rule_name": "out side"}, "rule_name 'out side' is not a valid name"),
    ("junos", {"position": "before", "anchor": "deny all"}, "anchor 'deny all' is not a valid name"),
    ("junos", {"from_zone": "trust\nset system"}, "from_zone 'trust\\nset system' is not a valid name"),
    ("vyos", {"comment": "x' ; delete firewall"}, "comment \"x' ; delete firewall\" is not valid"),
    ("panos", {"edl_base_url": "http://edl.example.net"}, "edl_base_url 'http://edl.example.net' is not valid"),
    ("panos", {"prefix": "1apple"}, "prefix '1apple' is not valid"),
])
def test_bad_options_are_rejected_by_name(vendor, options, message):
    with pytest.raises(VendorRenderError) as excinfo:
        render(vendor, **options)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("vendor", VENDORS)
def test_non_model_input_is_rejected(vendor):
    with pytest.raises(VendorRenderError, match="expects the allow-list model"):
        render(vendor, model=["albert.apple.com"])


def _place(order: list, rule: dict) -> bool:
    """panos_security_rule's placement: move unless the rule already sits next to its reference; True if moved."""
    name, location, ref = rule["rule_name"], rule["location"], rule.get("existing_rule")
    if name not in order:
        order.append(name)  # a new rule is created at the end
    index = order.index(name)
    placed = {"top": index == 0, "bottom": index == len(order) - 1,
              "before": ref in order and index + 1 == order.index(ref),
              "after": ref in order and order.index(ref) + 1 == index}[location]
    if placed:
        return False
    order.remove(name)
    if location in ("top", "bottom"):
        order.insert(0 if location == "top" else len(order), name)
    else:
        order.insert(order.index(ref) + (location == "after"), name)
    return True


@pytest.mark.parametrize("position, anchor", [("top", None), ("bottom", None), ("before", "deny"), ("after", "dns")])
def test_panos_two_rules_keep_their_place_on_a_second_run(position, anchor):
    """Both rules end up next to each other at the requested place, and a second run moves nothing."""
    out = render("panos", position=position, anchor=anchor)
    order = ["dns", "deny"]
    for rule in out["security_rules"]:
        _place(order, rule)
    assert [rule for rule in order if rule.startswith("apple-")] == ["apple-allow", "apple-allow-wildcards"]
    first = order.index("apple-allow")
    assert order[first + 1] == "apple-allow-wildcards"
    expected_first = {"top": 0, "bottom": 2, "before": order.index("deny") - 2, "after": order.index("dns") + 1}
    assert first == expected_first[position]
    assert [_place(order, rule) for rule in out["security_rules"]] == [False, False]

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the allow-list model: validation, grouping, collapsing, exclusions and object names."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import (
    AllowlistError,
    build_allowlist,
    compress_ports,
    expand_ports,
    group_name,
    object_name,
    object_names,
    validate_entry,
    validate_host,
    validate_port,
)


def _entry(host, tcp=(443,), udp=(), section="devicemanagement", entry_id=None, **over):
    if entry_id is None:
        entry_id = f"{section}.{host[2:]}-wildcard" if host.startswith("*.") else f"{section}.{host.replace('/', '-')}"
    entry = {"id": entry_id, "section": section, "service": "svc", "host": host, "tcp": list(tcp), "udp": list(udp)}
    entry.update(over)
    return entry


ENTRIES = [
    _entry("*.push.apple.com", tcp=[443, 80, 5223, 2197]),
    _entry("1-courier.push.apple.com", tcp=[80, 443, 2197, 5223]),
    _entry("*.b.push.apple.com", tcp=[2197, 5223, 80, 443]),
    _entry("push.apple.com", tcp=[80, 443, 5223, 2197]),
    _entry("albert.apple.com", tcp=[443, 80], section="devicesetup"),
    _entry("gdmf.apple.com", tcp=[443], section="software"),
    _entry("17.0.0.0/8", tcp=[80, 443], section="firewall"),
    _entry("17.57.144.0/22", tcp=[80, 443], section="firewall"),
    _entry("2620:149:a44::/48", tcp=[80, 443], section="firewall"),
    _entry("2403:300::/32", tcp=[80, 443], section="firewall"),
    _entry("time.apple.com", tcp=[], udp=[123], section="devicesetup"),
    _entry("*.apple-cloudkit.com", tcp=["8000-8999", 443], section="icloud"),
    _entry("*.apple-cloudkit.com", tcp=[], udp=["16384-16387", 16388, 3478], section="imessage", entry_id="x.udp"),
]


def _group(model, name):
    found = [group for group in model["groups"] if group["name"] == name]
    assert len(found) == 1, [group["name"] for group in model["groups"]]
    return found[0]


# ------------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Albert.Apple.COM", "albert.apple.com"),
        ("albert.apple.com.", "albert.apple.com"),
        ("*.Push.Apple.com", "*.push.apple.com"),
        ("17.0.0.0/8", "17.0.0.0/8"),
        ("17.1.2.3", "17.1.2.3/32"),
        ("2620:149::/32", "2620:149::/32"),
        ("2620:0149:0000::/32", "2620:149::/32"),
        ("münchen.de", "xn--mnchen-3ya.de"),
    ],
)
def test_validate_host_normalizes(host, expected):
    assert validate_host(host) == expected


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("evil.com; drop", "';'"),
        ("evil.com\nrule", "a newline"),
        ("evil .com", "a space"),
        ('evil".com', "a double quote"),
        ("evil'.com", "a single quote"),
        ("evil{.com", "'{'"),
        ("evil}.com", "'}'"),
        ("evil#.com", "'#'"),
        ("$(reboot).com", "'$'"),
        ("`id`.com", "a backtick"),
        ("a.*.com", "'*' is only allowed"),
        ("*a.apple.com", "'*' is only allowed"),
        ("*.com", "top-level domain"),
        ("localhost", "single-label"),
        ("x_y.apple.com", "label 'x_y'"),
        ("-a.apple.com", "label '-a'"),
        ("a..apple.com", "label ''"),
        ("1.2.3.999", "1.2.3.999"),
        ("17.0.0.1/8", "host bits set"),
        ("2620:149::/200", "2620:149::/200"),
        ("a" * 64 + ".com", "1-63"),
        ("", "empty"),
    ],
)
def test_validate_host_rejects_with_the_value_named(host, reason):
    with pytest.raises(AllowlistError) as info:
        validate_host(host)
    message = str(info.value)
    assert repr(host) in message
    assert reason in message
    assert "expected a host name" in message


def test_validate_host_rejects_non_strings():
    with pytest.raises(AllowlistError, match="expected a string"):
        validate_host(17)


@pytest.mark.parametrize(
    ("port", "expected"), [(1, 1), (65535, 65535), ("443", 443), ("8000-8999", "8000-8999"), (" 1-2 ", "1-2")]
)
def test_validate_port_accepts(port, expected):
    assert validate_port(port) == expected


@pytest.mark.parametrize("port", [0, 65536, 70000, -1, "70000", "9-3", "5-5", "0-10", "1-70000", True, None, 1.5,
                                  "443;", "80 443", " 1 - 2 ", "x"])
def test_validate_port_rejects_with_the_value_named(port):
    with pytest.raises(AllowlistError) as info:
        validate_port(port)
    assert repr(port) in str(info.value)
    assert "1 to 65535" in str(info.value)


def test_validate_entry_defaults_and_normalizes():
    entry = validate_entry({"host": "*.Example.com", "tcp": ["443"], "udp": []})
    assert entry["id"] == "extra.example.com-wildcard"
    assert entry["section"] == "extra"
    assert entry["host"] == "*.example.com"
    assert entry["tcp"] == [443]
    assert entry["kind"] == "wildcard"
    cidr = validate_entry({"host": "10.0.0.0/8", "tcp": [22], "udp": [], "id": "site.lan", "section": "site"})
    assert (cidr["id"], cidr["section"], cidr["kind"]) == ("site.lan", "site", "cidr")


def test_validate_entry_ports_of_one_protocol_are_enough():
    """tcp and udp are optional, as the roles' argument specs say: the missing one is empty."""
    assert validate_entry({"host": "mdm.example.edu", "tcp": [443]})["udp"] == []
    assert validate_entry({"host": "ntp.example.edu", "udp": [123]})["tcp"] == []


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"host": "evil.com; drop", "tcp": [443], "udp": []}, "'evil.com; drop'"),
        ({"host": "ok.example.com", "tcp": [70000], "udp": []}, "70000"),
        ({"host": "ok.example.com", "tcp": ["9000-8000"], "udp": []}, "'9000-8000'"),
        ({"host": "ok.example.com", "tcp": [], "udp": []}, "no ports"),
        ({"tcp": [443], "udp": []}, "missing required key host"),
        ({"host": "ok.example.com"}, "no ports"),
        ({"host": "ok.example.com", "tcp": 443, "udp": []}, "expected a list"),
        ({"host": "ok.example.com", "tcp": [443], "udp": [], "colour": "red"}, "unknown key(s) colour"),
        ({"host": "ok.example.com", "tcp": [443], "udp": [], "section": "Bad Section"}, "'Bad Section'"),
        ({"host": "ok.example.com", "tcp": [443], "udp": [], "id": "x;y"}, "'x;y'"),
        ({"host": "ok.example.com", "tcp": [443], "udp": [], "description": "a\nb"}, "control character"),
        ("ok.example.com", "expected a mapping"),
    ],
)
def test_validate_entry_rejects(entry, fragment):
    with pytest.raises(AllowlistError) as info:
        validate_entry(entry, 0)
    assert fragment in str(info.value)
    assert "extra entry #1" in str(info.value) or "expected a mapping" in str(info.value)


# ------------------------------------------------------------------------------------------------ ports
def test_ports_compress_and_expand():
    assert compress_ports([443, 80, 81, 82, "8000-8999", 9000, 5223]) == ["80-82", 443, 5223, "8000-9000"]
    assert compress_ports(["16384-16387", 16388, 3478]) == [3478, "16384-16388"]
    assert expand_ports([80, "443-445"]) == [80, 443, 444, 445]
    assert group_name("tcp", [80, 443, "8000-8999"]) == "tcp_80_443_8000_8999"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), max_size=40))
def test_compress_ports_roundtrip(ports):
    compressed = compress_ports(ports)
    assert expand_ports(compressed) == sorted(set(ports))
    # No two items of the compressed form are adjacent: they would have been joined.
    spans = [(p, p) if isinstance(p, int) else tuple(map(int, p.split("-"))) for p in compressed]
    assert all(later[0] > earlier[1] + 1 for earlier, later in zip(spans, spans[1:]))


# ------------------------------------------------------------------------------------------------ model
def test_build_allowlist_groups_and_collapses():
    model = build_allowlist(ENTRIES)
    json.dumps(model)  # plain data only
    names = [group["name"] for group in model["groups"]]
    assert names == [
        "tcp_80_443",
        "tcp_80_443_2197_5223",
        "tcp_443",
        "tcp_443_8000_8999",
        "udp_123",
        "udp_3478_16384_16388",
    ]
    push = _group(model, "tcp_80_443_2197_5223")
    # 1-courier is covered by *.push.apple.com, *.b.push.apple.com is nested in it; the apex stays.
    assert push["wildcards"] == ["push.apple.com"]
    assert push["fqdns"] == ["push.apple.com"]
    assert push["ports"] == [80, 443, 2197, 5223]
    assert push["entry_ids"] == sorted(
        ["devicemanagement.push.apple.com-wildcard", "devicemanagement.1-courier.push.apple.com",
         "devicemanagement.b.push.apple.com-wildcard", "devicemanagement.push.apple.com"]
    )
    web = _group(model, "tcp_80_443")
    assert web["fqdns"] == ["albert.apple.com"]
    assert web["cidrs4"] == ["17.0.0.0/8"]  # 17.57.144.0/22 merged into 17.0.0.0/8
    assert web["cidrs6"] == ["2403:300::/32", "2620:149:a44::/48"]
    assert _group(model, "tcp_443_8000_8999")["ports"] == [443, "8000-8999"]
    assert _group(model, "udp_3478_16384_16388")["wildcards"] == ["apple-cloudkit.com"]
    assert model["ports"] == {"tcp": [80, 443, 2197, 5223, "8000-8999"], "udp": [123, 3478, "16384-16388"]}
    assert model["fqdns"] == ["albert.apple.com", "gdmf.apple.com", "push.apple.com", "time.apple.com"]
    assert model["wildcards"] == ["apple-cloudkit.com", "push.apple.com"]
    assert model["cidrs4"] == ["17.0.0.0/8"]
    assert model["entry_count"] == len(ENTRIES)


def test_build_allowlist_is_deterministic_whatever_the_order():
    assert build_allowlist(ENTRIES) == build_allowlist(list(reversed(ENTRIES)))


def test_collapse_happens_per_group_not_across_groups():
    model = build_allowlist([_entry("*.apple.com", tcp=[443]), _entry("albert.apple.com", tcp=[80])])
    assert _group(model, "tcp_80")["fqdns"] == ["albert.apple.com"]
    # The overall lists collapse the same way.
    assert model["fqdns"] == []
    assert model["wildcards"] == ["apple.com"]


def test_lookalike_names_are_not_collapsed():
    model = build_allowlist(
        [_entry("*.push.apple.com"), _entry("xpush.apple.com"), _entry("push.apple.com.example.net")]
    )
    assert model["fqdns"] == ["push.apple.com.example.net", "xpush.apple.com"]


def test_extras_join_and_bad_extras_change_nothing():
    extra = [{"host": "mdm.example.com", "tcp": [443], "udp": [], "description": {"en": "Our MDM"}}]
    model = build_allowlist(ENTRIES, extra=extra)
    assert "mdm.example.com" in _group(model, "tcp_443")["fqdns"]
    assert "extra.mdm.example.com" in _group(model, "tcp_443")["entry_ids"]
    with pytest.raises(AllowlistError, match=re.escape("'evil.com; drop'")):
        build_allowlist(ENTRIES, extra=[{"host": "evil.com; drop", "tcp": [443], "udp": []}])
    with pytest.raises(AllowlistError, match="70000"):
        build_allowlist(ENTRIES, extra=[{"host": "ok.example.com", "tcp": [70000], "udp": []}])


def test_catalog_entries_pass_the_same_checks():
    with pytest.raises(AllowlistError, match=re.escape("'a.apple.com\\nx'")):
        build_allowlist([_entry("a.apple.com\nx", entry_id="s.a")])
    with pytest.raises(AllowlistError, match="70000"):
        build_allowlist([_entry("a.apple.com", tcp=[70000])])


def test_exclusions():
    model = build_allowlist(
        ENTRIES,
        exclude_ids=["devicesetup.albert.apple.com"],
        exclude_sections=["firewall"],
        exclude_hosts=["*.apple-cloudkit.com", "gdmf.apple.com"],
    )
    assert "albert.apple.com" not in model["fqdns"]
    assert "gdmf.apple.com" not in model["fqdns"]
    assert model["cidrs4"] == [] and model["cidrs6"] == []
    assert "apple-cloudkit.com" not in model["wildcards"]
    assert model["entry_count"] == len(ENTRIES) - 1 - 4 - 3


def test_exclude_hosts_by_wildcard_and_cidr_cover_nested_entries():
    model = build_allowlist(ENTRIES, exclude_hosts=["*.push.apple.com", "17.0.0.0/8"])
    assert "push.apple.com" in model["fqdns"]  # the apex is not under the wildcard
    assert model["wildcards"] == ["apple-cloudkit.com"]
    assert model["cidrs4"] == []


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"exclude_ids": ["nope"]}, ["'nope'", "valid ids:", "devicesetup.albert.apple.com"]),
        ({"exclude_sections": ["nosuch"]}, ["'nosuch'", "not in the selection",
                                            "sections in the selection: devicemanagement, devicesetup, firewall"]),
        ({"exclude_hosts": ["nothing.example.com"]}, ["'nothing.example.com'", "matches no entry"]),
        ({"exclude_hosts": ["a.b.push.apple.com"]}, ["covered by *.b.push.apple.com, *.push.apple.com"]),
        ({"exclude_hosts": ["bad host"]}, ["'bad host'", "exclude_hosts"]),
        ({"exclude_ids": "devicesetup.albert.apple.com"}, ["expected a list"]),
    ],
)
def test_bad_exclusions_fail_with_choices(kwargs, fragments):
    with pytest.raises(AllowlistError) as info:
        build_allowlist(ENTRIES, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_duplicate_ids_for_different_hosts_fail():
    with pytest.raises(AllowlistError, match="duplicate entry id"):
        build_allowlist([_entry("a.apple.com", entry_id="x.a"), _entry("b.apple.com", entry_id="x.a")])


def test_entries_without_ports_join_no_group():
    model = build_allowlist([_entry("a.apple.com", tcp=[], udp=[])])
    assert model["groups"] == [] and model["fqdns"] == [] and model["entry_count"] == 1


# ------------------------------------------------------------------------------------------------ object names
def test_object_name_verbatim_when_valid():
    assert object_name("albert.apple.com") == "albert.apple.com"
    assert object_name("albert.apple.com", {"prefix": "apple-", "case": "upper"}) == "APPLE-ALBERT.APPLE.COM"


def test_object_name_rewrites_with_a_stable_hash():
    rules = {"max_length": 31, "allowed": "A-Za-z0-9_-", "prefix": "apl_"}
    name = object_name("*.push.apple.com", rules)
    assert name == object_name("*.push.apple.com", rules)
    assert re.fullmatch(r"apl_wildcard_push_appl_[0-9a-f]{8}", name), name
    assert len(object_name("a" * 60 + ".apple.com", rules)) == 31
    assert re.fullmatch(r"[A-Za-z0-9_.-]+_[0-9a-f]{8}", object_name("2620:149::/32"))


def test_object_name_rule_errors():
    with pytest.raises(AllowlistError, match="unknown object name rule"):
        object_name("a.apple.com", {"maxlen": 3})
    with pytest.raises(AllowlistError, match="too short"):
        object_name("a.apple.com", {"max_length": 5})
    with pytest.raises(AllowlistError, match="outside allowed"):
        object_name("a.apple.com", {"allowed": "a-z", "prefix": "X_"})


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_host = st.builds(lambda labels, wild: ("*." if wild else "") + ".".join(labels + ["com"]),
                  st.lists(_label, min_size=1, max_size=6), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(_host, min_size=1, max_size=30, unique=True),
       st.integers(min_value=20, max_value=80), st.sampled_from(["A-Za-z0-9_.-", "A-Za-z0-9_-", "a-z0-9-"]))
def test_object_names_are_valid_unique_and_stable(hosts, max_length, allowed):
    rules = {"max_length": max_length, "allowed": allowed}
    names = object_names(hosts, rules)
    assert len(set(names.values())) == len(hosts)
    for host, name in names.items():
        assert len(name) <= max_length
        assert re.fullmatch(f"[{allowed}]+", name), name
        assert object_name(host, rules) == name

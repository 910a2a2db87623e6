# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of host name normalisation, target parsing and wildcard/CIDR matching."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansible_collections.netallow.apple.plugins.plugin_utils._matching import (
    host_from_target,
    match,
    matches,
    normalize_hostname,
)

PUSH = {"id": "devicemanagement.push.apple.com-wildcard", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []}
ALBERT = {"id": "devicesetup.albert.apple.com", "host": "albert.apple.com", "tcp": [443], "udp": []}
NET4 = {"id": "firewall.17.0.0.0-8", "host": "17.0.0.0/8", "tcp": [443, "8000-8999"], "udp": []}
NET6 = {"id": "firewall.2620.149..-32", "host": "2620:149::/32", "tcp": [443], "udp": [3478]}
ENTRIES = [PUSH, ALBERT, NET4, NET6]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Albert.Apple.COM", "albert.apple.com"),
        ("albert.apple.com.", "albert.apple.com"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("localhost", "localhost"),
    ],
)
def test_normalize_hostname(name, expected):
    assert normalize_hostname(name) == expected


@pytest.mark.parametrize("name", ["", ".", "a..b", "a.b..", "-a.com", "a-.com", "a_b.com", "a b.com", "a;b.com",
                                  "a" * 64 + ".com", ("a" * 60 + ".") * 5 + "com", 17])
def test_normalize_hostname_rejects_with_the_value_named(name):
    with pytest.raises(ValueError) as info:
        normalize_hostname(name)
    assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("1-courier.push.apple.com", "1-courier.push.apple.com"),
        ("https://Gdmf.Apple.com:443/v2/pmv", "gdmf.apple.com"),
        ("http://user@albert.apple.com/x", "albert.apple.com"),
        ("albert.apple.com:443", "albert.apple.com"),
        ("www.apple.com/fr", "www.apple.com"),
        ("17.253.1.1", "17.253.1.1"),
        ("17.253.1.1:443", "17.253.1.1"),
        ("2620:149:0::1", "2620:149::1"),
        ("[2620:149::1]:5223", "2620:149::1"),
        ("[2620:149::1]", "2620:149::1"),
        ("https://[2620:149::1]:443/", "2620:149::1"),
    ],
)
def test_host_from_target(target, host):
    assert host_from_target(target) == host


@pytest.mark.parametrize("target", ["", "[2620:149::1", "[2620:149::1]x", "[nothex]:1", "a.com:0", "a.com:99999",
                                    "a.com:http", "https:///path", "bad host.com", "fe80::1%eth0"])
def test_host_from_target_rejects(target):
    with pytest.raises(ValueError) as info:
        host_from_target(target)
    assert repr(target) in str(info.value) or repr(target.strip()) in str(info.value)


@pytest.mark.parametrize(
    ("target", "expected_ids"),
    [
        ("1-courier.push.apple.com", [PUSH["id"]]),
        ("a.b.push.apple.com", [PUSH["id"]]),
        ("push.apple.com", []),
        ("xpush.apple.com", []),
        ("push.apple.com.example.net", []),
        ("ALBERT.apple.com.", [ALBERT["id"]]),
        ("x.albert.apple.com", []),
        ("17.253.1.1", [NET4["id"]]),
        ("18.0.0.1", []),
        ("2620:149::5", [NET6["id"]]),
        ("::ffff:17.0.0.1", []),
        ("https://17.1.1.1:8443/", [NET4["id"]]),
    ],
)
def test_match(target, expected_ids):
    assert [entry["id"] for entry in match(ENTRIES, target)] == expected_ids


def test_ip_never_matches_a_name_entry_and_name_never_matches_cidr():
    assert matches({"host": "17.0.0.1"}, "17.0.0.1")  # a bare IP host is a /32 CIDR
    assert not matches({"host": "albert.apple.com"}, "17.0.0.1")
    assert matches("17.0.0.1", "17.0.0.1")
    assert not matches("*.apple.com", "17.0.0.1")
    assert not matches("17.0.0.0/8", "seventeen.apple.com")


def test_matches_with_port_and_protocol():
    assert matches(PUSH, "1-courier.push.apple.com", port=5223)
    assert not matches(PUSH, "1-courier.push.apple.com", port=80)
    assert matches(NET4, "17.1.1.1", port=8500, protocol="tcp")
    assert not matches(NET4, "17.1.1.1", port=8500, protocol="udp")
    assert matches(NET6, "2620:149::1", port="3478")
    with pytest.raises(ValueError, match="'quic'"):
        matches(NET6, "2620:149::1", port=443, protocol="quic")
    with pytest.raises(ValueError, match="70000"):
        matches(NET6, "2620:149::1", port=70000)
    with pytest.raises(ValueError, match="bare host"):
        matches("*.apple.com", "a.apple.com", port=443)


def test_bad_entry_fails_with_its_value():
    with pytest.raises(ValueError, match="'a.\\*.com'"):
        matches("a.*.com", "a.b.com")
    with pytest.raises(ValueError, match="expected a host string"):
        matches(42, "a.b.com")


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_tld = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
# A numeric last label would make the domain an IP address.
_domain = st.builds(lambda labels, tld: ".".join(labels + [tld]), st.lists(_label, min_size=1, max_size=3), _tld)


@settings(max_examples=100, deadline=None)
@given(st.lists(_label, min_size=1, max_size=4).map(".".join), _domain)
def test_any_label_prefix_matches_the_wildcard(prefix, domain):
    assert matches("*." + domain, prefix + "." + domain)
    assert matches("*." + domain.upper(), (prefix + "." + domain).upper() + ".")


@settings(max_examples=100, deadline=None)
@given(st.lists(_label, min_size=1, max_size=5).map(".".join), _domain)
def test_names_not_ending_in_dot_domain_do_not_match(name, domain):
    assume(not name.endswith("." + domain))
    assert not matches("*." + domain, name)


@settings(max_examples=100, deadline=None)
@given(_domain, _label)
def test_apex_and_lookalikes_never_match(domain, junk):
    assert not matches("*." + domain, domain)
    assert not matches("*." + domain, junk + domain)
    assert not matches("*." + domain, domain + "." + junk + ".example")


@settings(max_examples=100, deadline=None)
@given(st.ip_addresses(), st.integers(min_value=0, max_value=128))
def test_ip_in_cidr_matches_exactly_when_contained(address, prefix):
    prefix = min(prefix, address.max_prefixlen)
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    assert matches(str(network), str(address))
    other = ipaddress.ip_network("17.0.0.0/8") if address.version == 4 else ipaddress.ip_network("2620:149::/32")
    assert matches(str(other), str(address)) == (address in other)

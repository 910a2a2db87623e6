# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The allowed test plugin."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.test.allowed import TestModule as AllowedTestPlugin

allowed = AllowedTestPlugin().tests()["allowed"]

ENTRIES = [
    {"id": "dm.push-wildcard", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "fw.v6", "host": "2620:149::/32", "tcp": [443], "udp": [3478]},
]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("1-courier.push.apple.com", True),
        ("A.B.PUSH.APPLE.COM.", True),
        ("push.apple.com", False),
        ("xpush.apple.com", False),
        ("push.apple.com.example.net", False),
        ("[2620:149::1]:443", True),
        ("2620:14a::1", False),
    ],
)
def test_allowed(target, expected):
    assert allowed(target, ENTRIES) is expected


def test_port_protocol():
    assert allowed("2620:149::1", ENTRIES, port=3478, protocol="udp") is True
    assert allowed("2620:149::1", ENTRIES, port=3478, protocol="tcp") is False


def test_errors_name_the_value():
    with pytest.raises(AnsibleFilterError, match="netallow.apple.allowed: .*'a;b.com'"):
        allowed("a;b.com", ENTRIES)
    with pytest.raises(AnsibleFilterError, match="'quic'"):
        allowed("a.push.apple.com", ENTRIES, port=443, protocol="quic")


@pytest.fixture(name="default_entries", scope="module")
def fixture_default_entries():
    from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog, select

    return select(load_catalog())


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("push.apple.com", False),
        ("xpush.apple.com", False),
        ("apple.com", False),
        ("www.apple.com.example.net", False),
        ("push.apple.com.example.net", False),
        ("bucket.s3.amazonaws.com", False),
        ("17.1.2.3", False),  # inside 17.0.0.0/8, outside the APNs ranges
        ("1-courier.push.apple.com", True),
        ("albert.apple.com", True),
        ("17.249.0.1", True),
        ("17.252.255.254", True),
        ("17.57.147.255", True),
        ("17.188.128.1", True),
        ("17.188.21.255", True),
        ("2620:149:a44::1", True),
        ("2403:300:a42:ffff::1", True),
        ("2403:300:a51::5", True),
        ("2a01:b740:a42::1", True),
    ],
)
def test_allowed_with_the_default_selection_is_exact(default_entries, target, expected):
    assert allowed(target, default_entries) is expected


def test_ports_with_the_default_selection(default_entries):
    assert allowed("albert.apple.com", default_entries, port=443, protocol="tcp") is True
    assert allowed("albert.apple.com", default_entries, port=80, protocol="tcp") is False  # Apple lists 443 only
    assert allowed("appldnld.apple.com", default_entries, port=80, protocol="tcp") is True
    assert allowed("appldnld.apple.com", default_entries, port=443, protocol="tcp") is False  # 80 only

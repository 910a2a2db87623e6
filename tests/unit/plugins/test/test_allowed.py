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

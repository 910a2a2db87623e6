# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The match filter: the matching core behind a filter that reports bad input as AnsibleFilterError."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.filter.match import FilterModule

match = FilterModule().filters()["match"]

PUSH = {"id": "dm.push-wildcard", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []}
NET = {"id": "fw.v4", "host": "17.0.0.0/8", "tcp": [443], "udp": []}


@pytest.mark.parametrize(
    ("target", "ids"),
    [
        ("1-courier.push.apple.com", ["dm.push-wildcard"]),
        ("https://a.b.push.apple.com:5223/x", ["dm.push-wildcard"]),
        ("push.apple.com", []),
        ("xpush.apple.com", []),
        ("push.apple.com.example.net", []),
        ("17.57.144.10", ["fw.v4"]),
    ],
)
def test_match(target, ids):
    assert [entry["id"] for entry in match([PUSH, NET], target)] == ids


def test_port_and_protocol():
    assert match([PUSH, NET], "1-courier.push.apple.com", port=5223, protocol="tcp") == [PUSH]
    assert match([PUSH, NET], "17.1.1.1", port=5223) == []


def test_bare_hosts():
    assert match(["*.push.apple.com", "albert.apple.com"], "albert.apple.com") == ["albert.apple.com"]


@pytest.mark.parametrize(
    ("entries", "target", "fragment"),
    [
        ([PUSH], "bad host", "'bad host'"),
        ([PUSH], 17, "target must be a string"),
        ({"host": "x"}, "a.apple.com", "entries must be a list"),
        ([{"id": "nohost"}], "a.apple.com", "neither a catalog entry"),
        (["a.*.com"], "a.b.com", "'a.*.com'"),
    ],
)
def test_errors(entries, target, fragment):
    with pytest.raises(AnsibleFilterError) as info:
        match(entries, target)
    assert str(info.value).startswith("netallow.apple.match: ")
    assert fragment in str(info.value)

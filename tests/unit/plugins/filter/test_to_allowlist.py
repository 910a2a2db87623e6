# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The to_allowlist filter: a thin wrapper whose errors are AnsibleFilterError naming the value."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.filter.allowlist import FilterModule

to_allowlist = FilterModule().filters()["to_allowlist"]

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443], "udp": []},
    {"id": "dm.courier", "section": "dm", "host": "1-courier.push.apple.com", "tcp": [443], "udp": []},
]


def test_builds_the_model():
    model = to_allowlist(ENTRIES, extra=[{"host": "mdm.example.com", "tcp": [443], "udp": []}])
    assert model["wildcards"] == ["push.apple.com"]
    assert model["fqdns"] == ["mdm.example.com"]
    assert model["entry_count"] == 3


def test_none_options_mean_empty():
    assert to_allowlist(ENTRIES, None, None, None, None) == to_allowlist(ENTRIES)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"extra": [{"host": "evil.com; drop", "tcp": [443], "udp": []}]}, "'evil.com; drop'"),
        ({"extra": [{"host": "ok.example.com", "tcp": [70000], "udp": []}]}, "70000"),
        ({"exclude_ids": ["nope"]}, "unknown entry id 'nope'"),
        ({"exclude_sections": ["zz"]}, "sections in the selection: dm"),
        ({"exclude_hosts": ["a.push.apple.com"]}, "covered by *.push.apple.com"),
    ],
)
def test_errors(kwargs, fragment):
    with pytest.raises(AnsibleFilterError) as info:
        to_allowlist(ENTRIES, **kwargs)
    assert str(info.value).startswith("netallow.apple.to_allowlist: ")
    assert fragment in str(info.value)


def test_input_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="must be a list of catalog entries, got dict"):
        to_allowlist({"host": "a.apple.com"})

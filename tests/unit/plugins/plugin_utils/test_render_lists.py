# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the plain list renderer (EDL / threat feed lists)."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils._matching import matches
from ansible_collections.netallow.apple.plugins.plugin_utils.render.lists import ListsRenderError, render

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "dm.courier", "section": "dm", "host": "1-courier.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "dm.push", "section": "dm", "host": "push.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
    {"id": "fw.v6", "section": "fw", "host": "2620:149::/32", "tcp": [443], "udp": []},
]


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


def test_domains_star_is_the_default(model):
    assert render(model) == "albert.apple.com\n*.push.apple.com\npush.apple.com\ntime.apple.com\n"


def test_domains_star_list_means_exactly_the_model(model):
    # Read each line back with our own matching: every allowed name matches some line, lookalikes none.
    lines = render(model).splitlines()
    for name, allowed in [("1-courier.push.apple.com", True), ("push.apple.com", True), ("a.b.push.apple.com", True),
                          ("xpush.apple.com", False), ("push.apple.com.example.net", False),
                          ("www.albert.apple.com", False)]:
        assert any(matches(line, name) for line in lines) is allowed, name


def test_domains_dot_and_bare(model):
    assert render(model, wildcard_style="dot").splitlines() == [
        "albert.apple.com", ".push.apple.com", "push.apple.com", "time.apple.com"]
    # bare: the domain stands for itself and its subdomains, so the apex line would be a duplicate.
    assert render(model, wildcard_style="bare").splitlines() == [
        "albert.apple.com", "push.apple.com", "time.apple.com"]


def test_urls_end_in_a_slash(model):
    assert render(model, kind="urls").splitlines() == [
        "albert.apple.com/", "*.push.apple.com/", "push.apple.com/", "time.apple.com/"]


def test_ips_and_family(model):
    assert render(model, kind="ips") == "17.0.0.0/8\n2620:149::/32\n"
    assert render(model, kind="ips", family="ipv4") == "17.0.0.0/8\n"
    assert render(model, kind="ips", family="ipv6") == "2620:149::/32\n"
    for line in render(model, kind="ips").splitlines():
        ipaddress.ip_network(line)


def test_header_only_on_request(model):
    assert not render(model).startswith("#")
    text = render(model, kind="ips", header=True)
    assert text.splitlines()[0] == "# netallow.apple IP (all) list: 2 entries"
    assert text.count("\n") == 3


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"kind": "hosts"}, "option kind 'hosts': not a valid choice; valid choices: domains, ips, urls"),
        ({"wildcard_style": "regex"},
         "option wildcard_style 'regex': not a valid choice; valid choices: star, dot, bare"),
        ({"family": 4}, "option family 4: not a string"),
        ({"header": "maybe"}, "option header 'maybe': not a boolean"),
        ({"colour": "red"}, "render(lists): option(s) colour: unknown; valid options: kind"),
    ],
)
def test_bad_options(model, options, fragment):
    with pytest.raises(ListsRenderError) as info:
        render(model, **options)
    assert fragment in str(info.value)


def test_needs_the_model():
    with pytest.raises(ListsRenderError, match="to_allowlist"):
        render(ENTRIES)

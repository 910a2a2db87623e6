# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The render dispatcher: table-driven, every format documented, errors converted and naming the valid formats."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.filter import render as render_plugin
from ansible_collections.netallow.apple.plugins.filter.allowlist import FilterModule as AllowlistFilters
from ansible_collections.netallow.apple.plugins.filter.render import FilterModule

FILTERS = FilterModule().filters()
render = FILTERS["render"]
render_outputs = FILTERS["render_outputs"]
to_allowlist = AllowlistFilters().filters()["to_allowlist"]

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443, 5223], "udp": []},
    {"id": "fw.v6", "section": "fw", "host": "2620:149::/32", "tcp": [443], "udp": []},
]
DOCS = os.path.join(os.path.dirname(render_plugin.__file__), "render.yml")


@pytest.fixture(scope="module")
def model():
    return to_allowlist(ENTRIES)


def test_own_formats_are_registered():
    assert {"lists", "dnsmasq", "iptables"} <= set(render_plugin.available_formats())
    assert render_plugin.available_formats() == [name for name in render_plugin.FORMATS
                                                 if render_plugin.renderer(name) is not None]


@pytest.mark.parametrize("name", render_plugin.available_formats())
def test_every_format_renders_the_model_and_is_documented(model, name):
    module = render_plugin.renderer(name)
    assert callable(module.render)
    result = render(model, name)
    assert isinstance(result, (str, dict)) and result
    if isinstance(result, dict):
        json.dumps(result)  # playbooks write dict results as JSON
    with open(DOCS, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)["DOCUMENTATION"]
    documented = [" ".join(item.split()) for item in doc["description"]]
    assert " ".join(module.FORMAT_DOC.split()) in documented
    for option in render_plugin.declared_options(name):
        assert any(item.startswith(f"C({name}) option C({option}) (") for item in documented), option
    assert name in doc["options"]["format"]["choices"]


def test_option_docs_are_exactly_the_declarations():
    """render.yml carries the generated items, nothing more or less: no option undocumented or documented but refused.

    Regenerate with ``make render-doc`` after changing a declaration or a FORMAT_DOC.
    """
    with open(DOCS, encoding="utf-8") as handle:
        description = yaml.safe_load(handle)["DOCUMENTATION"]["description"]
    marker = description.index("The formats, in order, each with its options, follow.")
    assert [" ".join(item.split()) for item in description[marker + 1:]] == render_plugin.format_docs()


def test_every_declared_option_is_accepted_and_every_other_refused(model):
    """What the docs list is what the renderers take: each declared option alone renders, an undeclared one fails."""
    for name in render_plugin.available_formats():
        declared = render_plugin.declared_options(name)
        for option, spec in declared.items():
            value = spec.get("default")
            if value is None:
                continue
            assert render(model, name, **{option: value}) == render(model, name), (name, option)
        with pytest.raises(AnsibleFilterError, match=rf"render\({name}\): option\(s\) undeclared: unknown"):
            render(model, name, undeclared=1)
    # The nftables header option is declared, documented and honoured.
    assert render(model, "nftables", artifact="persist", header=False).startswith("table inet netallow_apple")


def test_docs_list_no_format_that_is_not_registered():
    with open(DOCS, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)["DOCUMENTATION"]
    assert doc["options"]["format"]["choices"] == render_plugin.available_formats()


def test_options_reach_the_renderer(model):
    assert render(model, "lists", kind="ips") == "17.0.0.0/8\n2620:149::/32\n"
    assert "-I FORWARD 1 -j NETALLOW_APPLE" in render(model, "iptables", artifact="rules4", hook="FORWARD")


@pytest.mark.parametrize(
    ("args", "kwargs", "fragments"),
    [
        ((ENTRIES, "lists"), {}, ["to_allowlist", "got list"]),
        (("MODEL", "nope"), {}, ["unknown format 'nope'", "valid formats: lists, dnsmasq, iptables"]),
        (("MODEL", 3), {}, ["unknown format 3"]),
        (("MODEL", "lists"), {"kind": "everything"},
         ["netallow.apple.render(lists): option kind 'everything': not a valid choice; valid choices: domains, ips,"
          " urls"]),
        (("MODEL", "dnsmasq"), {"table": "t;x"}, ["netallow.apple.render(dnsmasq): option table 't;x': expected a"]),
    ],
)
def test_errors_name_the_value(model, args, kwargs, fragments):
    args = tuple(model if arg == "MODEL" else arg for arg in args)
    with pytest.raises(AnsibleFilterError) as info:
        render(*args, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_render_outputs(model):
    outputs = render_outputs(model)
    paths = [item["path"] for item in outputs]
    assert len(paths) == len(set(paths))
    assert {"iptables/ipset.restore", "iptables/rules.v4", "iptables/rules.v6", "lists/domains.txt",
            "lists/ips.txt", "lists/urls.txt", "dnsmasq/nftset.conf", "dnsmasq/ipset.conf"} <= set(paths)
    assert {item["format"] for item in outputs} == set(render_plugin.available_formats())
    for item in outputs:
        assert render(model, item["format"], **item["options"])
    assert [item["path"] for item in render_outputs(model, formats=["lists"])] == [
        "lists/domains.txt", "lists/ips.txt", "lists/urls.txt"]
    with pytest.raises(AnsibleFilterError, match="unknown format.s. bogus; valid formats: lists"):
        render_outputs(model, formats=["bogus"])


def test_a_missing_renderer_is_not_available(monkeypatch):
    monkeypatch.setitem(render_plugin.FORMATS, "future", "future_format")
    assert render_plugin.renderer("future") is None
    assert "future" not in render_plugin.available_formats()

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The renderer core: options checked by value (tagged strings, Ansible booleans and integers), one error shape."""

from __future__ import annotations

import pytest
from ansible._internal._datatag._tags import Origin
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.netallow.apple.plugins.filter import render as render_plugin
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render import _dnsmasq_lines
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import (
    RenderError,
    argument_spec,
    check_options,
)

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
]
FORMATS = render_plugin.available_formats()


def tagged(value: str) -> str:
    """A string as ansible-core hands over a variable or loop item: a str subclass carrying its origin."""
    result = Origin(description="<test variable>").tag(value)
    assert result.__class__ is not str and isinstance(result, str)
    return result


def as_text(value):
    """What an option looks like when it comes from ``-e name=value``: tagged text."""
    if isinstance(value, bool):
        return tagged("true" if value else "false")
    return tagged(str(value))


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


class _Error(RenderError):
    format = "demo"


def test_the_error_shape_names_format_option_value_and_choices():
    declared = {"kind": {"type": "str", "choices": ["a", "b"], "default": "a", "description": "d"}}
    with pytest.raises(_Error) as info:
        check_options({"kind": "c"}, declared, _Error)
    assert str(info.value) == (
        "netallow.apple.render(demo): option kind 'c': not a valid choice; valid choices: a, b")
    unknown = r"^netallow.apple.render\(demo\): option\(s\) colour: unknown; valid options: kind$"
    with pytest.raises(_Error, match=unknown):
        check_options({"colour": 1}, declared, _Error)


def test_choices_come_back_plain_and_text_is_converted_by_declared_type():
    declared = {
        "kind": {"type": "str", "choices": ["a", "b"], "default": "a", "description": "d"},
        "header": {"type": "bool", "default": True, "description": "d"},
        "timeout": {"type": "int", "default": 1, "description": "d"},
    }
    opts = check_options({"kind": tagged("b"), "header": tagged("no"), "timeout": tagged("60")}, declared, _Error)
    assert opts == {"kind": "b", "header": False, "timeout": 60}
    assert opts["kind"].__class__ is str
    with pytest.raises(_Error, match="option timeout True: not an integer"):
        check_options({"timeout": True}, declared, _Error)


@pytest.mark.parametrize("name", FORMATS)
def test_declarations_are_argument_specs_and_agree_with_argument_spec_validator(name):
    """ansible-core's ArgumentSpecValidator accepts each declaration and converts the defaults given as text alike."""
    declared = render_plugin.declared_options(name)
    assert declared, name
    for option, spec in declared.items():
        assert spec["description"].strip(), (name, option)
        assert set(spec) <= {"type", "choices", "default", "description", "null", "elements"}, (name, option)
    validator = ArgumentSpecValidator(argument_spec(declared))
    texts = {option: as_text(spec["default"]) for option, spec in declared.items()
             if spec.get("type") in ("str", "bool", "int") and spec.get("default") is not None}
    result = validator.validate(dict(texts))
    assert not result.error_messages, result.error_messages
    ours = check_options(texts, declared, _Error)
    for option in texts:
        assert ours[option] == result.validated_parameters[option], (name, option)


@pytest.mark.parametrize("name", FORMATS)
def test_every_option_is_accepted_by_value_in_every_renderer(model, name):
    """Each declared option as a tagged string (from a variable, a loop item or -e) renders like the literal."""
    declared = render_plugin.declared_options(name)
    checked = 0
    for option, spec in declared.items():
        values = list(spec.get("choices") or [])
        if spec.get("type") in ("bool", "int") and spec.get("default") is not None:
            values.append(spec["default"])
        for value in values:
            literal = _render_or_error(model, name, {option: value})
            if isinstance(literal, Exception):
                continue  # a choice that needs other options (allow mode needs a table): not this test's matter
            assert _render_or_error(model, name, {option: as_text(value)}) == literal, (name, option, value)
            checked += 1
    if any(spec.get("choices") or spec.get("type") in ("bool", "int") for spec in declared.values()):
        assert checked, name


def _render_or_error(model, name, options):
    try:
        return render_plugin.render(model, name, **options)
    except Exception as exc:  # noqa: BLE001 - compared by the caller
        return exc


def test_the_filter_takes_loop_items_by_value(model):
    """The reported case: render(item.f, kind=item.kind) with tagged strings from a loop."""
    for kind in ("domains", "ips", "urls"):
        assert render_plugin.render(model, tagged("lists"), kind=tagged(kind)) == render_plugin.render(
            model, "lists", kind=kind)
    assert render_plugin.render(model, "lists", header=tagged("true")).startswith("# netallow.apple")
    assert "timeout 60" in render_plugin.render(model, "iptables", timeout=tagged("60"))
    assert render_plugin.render(model, "dnsmasq", mode=tagged("ipset"), header=tagged("no")).startswith("ipset=")


def test_the_dnsmasq_line_writer_packs_under_the_limit_and_carries_covering_sets():
    own = {f"host{index:03d}.apple.com": ["s1"] for index in range(200)}
    own["push.apple.com"] = ["s2"]
    own["a.push.apple.com"] = ["s1"]
    targets = _dnsmasq_lines.with_covering(own, {"push.apple.com": ["s2"]})
    assert targets["a.push.apple.com"] == ["s1", "s2"]
    lines = _dnsmasq_lines.lines("nftset", targets)
    assert len(lines) > 2 and all(len(line) <= _dnsmasq_lines.MAX_LINE for line in lines)
    assert "nftset=/a.push.apple.com/s1,s2" in lines
    with pytest.raises(_Error, match="longer than 1000"):
        _dnsmasq_lines.lines("ipset", {"a.apple.com": ["x" * 1000]}, _Error)

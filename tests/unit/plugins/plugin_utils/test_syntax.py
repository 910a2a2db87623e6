# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the shared host and port syntax: labels, names, wildcards, CIDRs, ports and the injection scan."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import (
    FORBIDDEN_CHARS,
    PortSyntaxError,
    forbidden_char,
    format_port,
    is_fqdn,
    is_ip_literal,
    is_label,
    is_network_syntax,
    normalize_hostname,
    parse_network,
    parse_port,
    port_bounds,
    split_wildcard,
)

INJECTIONS = [
    ("evil.com; drop", "';'"),
    ("evil.com drop", "a space"),
    ("evil.com\nallow all", "a newline"),
    ("evil.com\r", "a carriage return"),
    ('evil".com', "a double quote"),
    ("evil'.com", "a single quote"),
    ("evil.com#", "'#'"),
    ("evil{.com", "'{'"),
    ("evil}.com", "'}'"),
    ("`id`.com", "a backtick"),
    ("$(x).com", "'$'"),
    ("a|b.com", "'|'"),
    ("a&b.com", "'&'"),
    ("a\\b.com", "a backslash"),
    ("a\x00b.com", "a NUL character"),
    ("a\tb.com", "a tab"),
    ("a\x1bb.com", "the control character '\\x1b'"),
    ("a\x7fb.com", "the control character '\\x7f'"),
]


# ---------------------------------------------------------------------------------------------------- labels, names
@pytest.mark.parametrize("label", ["a", "apple", "1-courier", "xn--bcher-kva", "a" * 63, "0", "a-b-c"])
def test_is_label_accepts(label):
    assert is_label(label)


@pytest.mark.parametrize("label", ["", "-a", "a-", "a" * 64, "A", "a_b", "a.b", "*", "a b", "é", "a;"])
def test_is_label_refuses(label):
    assert not is_label(label)


@pytest.mark.parametrize(
    "name", ["apple.com", "1-courier.push.apple.com", "xn--bcher-kva.de", ".".join(["a" * 63] * 3) + ".abcdefghi"]
)
def test_is_fqdn_accepts(name):
    assert is_fqdn(name)


@pytest.mark.parametrize(
    "name",
    [
        "com",  # one label: a top-level domain is not a host name of the catalog
        "Apple.com",  # the catalog is canonical: lower case only
        "apple.com.",
        ".apple.com",
        "a..b",
        "-a.com",
        "a-.com",
        "*.apple.com",
        "a" * 64 + ".com",
        ".".join(["a" * 63] * 4),  # 255 characters
        "evil.com; drop",
        "evil.com#x",
        "ev`il.com",
        "",
    ],
)
def test_is_fqdn_refuses(name):
    assert not is_fqdn(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Apple.COM", "apple.com"),
        ("apple.com.", "apple.com"),
        ("localhost", "localhost"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("ÉCOLE.fr", "xn--cole-9oa.fr"),
    ],
)
def test_normalize_hostname(name, expected):
    assert normalize_hostname(name) == expected


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "empty"),
        (".", "empty"),
        ("a..b", "label ''"),
        ("-a.com", "label '-a'"),
        ("a_b.com", "label 'a_b'"),
        ("evil.com;drop", "label 'com;drop'"),
        ("a" * 64 + ".com", "1-63"),
        (".".join(["a" * 63] * 4), "longer than 253"),
        (17, "expected a string"),
    ],
)
def test_normalize_hostname_refuses_naming_the_value(name, fragment):
    with pytest.raises(ValueError) as caught:
        normalize_hostname(name)
    assert repr(name) in str(caught.value)
    assert fragment in str(caught.value)


# ---------------------------------------------------------------------------------------------------- wildcards
@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("*.push.apple.com", (True, "push.apple.com")),
        ("push.apple.com", (False, "push.apple.com")),
        ("*push.apple.com", (False, "*push.apple.com")),
        ("a.*.apple.com", (False, "a.*.apple.com")),
        ("*.", (True, "")),
        ("*", (False, "*")),
        ("**.apple.com", (False, "**.apple.com")),
    ],
)
def test_split_wildcard(host, expected):
    assert split_wildcard(host) == expected


# ---------------------------------------------------------------------------------------------------- addresses
@pytest.mark.parametrize("value", ["17.0.0.1", "2620:149::1", "::1", "0.0.0.0"])
def test_is_ip_literal_accepts(value):
    assert is_ip_literal(value)


@pytest.mark.parametrize("value", ["17.0.0.0/8", "1.2.3", "apple.com", "", "256.0.0.1", "17.0.0.1;"])
def test_is_ip_literal_refuses(value):
    assert not is_ip_literal(value)


@pytest.mark.parametrize(
    ("host", "digits", "literal"),
    [
        ("17.0.0.0/8", True, True),
        ("apple.com/x", True, True),
        ("17.0.0.1", True, True),
        ("2620:149::/32", True, True),
        ("2620:149::1", True, True),
        ("1.2.3", True, False),  # the matcher reads a dotted number that is no address as a name
        ("...", True, False),  # dots alone are an address attempt for the catalog and the model
        ("\u0661.\u0661", False, False),  # Arabic-Indic digits are no address (and no name either)
        ("apple.com:443", True, False),
        ("apple.com", False, False),
        ("*.apple.com", False, False),
    ],
)
def test_is_network_syntax_per_hint(host, digits, literal):
    assert is_network_syntax(host, "digits") is digits
    assert is_network_syntax(host, "literal") is literal


def test_is_network_syntax_refuses_an_unknown_hint():
    with pytest.raises(ValueError, match=r"invalid network hint 'loose'; valid hints: digits, literal"):
        is_network_syntax("17.0.0.1", "loose")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17.0.0.0/8", ipaddress.ip_network("17.0.0.0/8")),
        ("17.0.0.1", ipaddress.ip_network("17.0.0.1/32")),
        ("2620:149::/32", ipaddress.ip_network("2620:149::/32")),
        ("2620:149:0::/32", ipaddress.ip_network("2620:149::/32")),
    ],
)
def test_parse_network(text, expected):
    assert parse_network(text) == expected


@pytest.mark.parametrize(
    "text", ["17.0.0.1/8", "17.0.0.0/33", "1.2.3/8", "17.0.0.0/8; drop", "17.0.0.0/8\n", "2620:149::1/32", ""]
)
def test_parse_network_refuses_naming_the_value(text):
    with pytest.raises(ValueError) as caught:
        parse_network(text)
    assert repr(text) in str(caught.value) or text.strip() in str(caught.value)


# ---------------------------------------------------------------------------------------------------- ports
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (443, 443),
        (65535, 65535),
        ("443", 443),
        (" 443 ", 443),
        ("00080", 80),
        ("8000-8999", (8000, 8999)),
        ("1-65535", (1, 65535)),
    ],
)
def test_parse_port_accepts(value, expected):
    assert parse_port(value) == expected
    assert parse_port(value, lenient_range=True) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "out_of_range"),
        (65536, "out_of_range"),
        (-1, "out_of_range"),
        ("0", "out_of_range"),
        ("65536", "out_of_range"),
        ("80-70", "range_order"),
        ("80-80", "range_order"),
        ("0-80", "range_out_of_range"),
        ("80-65536", "range_out_of_range"),
        (True, "not_a_port"),
        (False, "not_a_port"),
        ("True", "not_a_port"),
        ("yes", "not_a_port"),
        (None, "not_a_port"),
        (80.0, "not_a_port"),
        ([80], "not_a_port"),
        ("", "not_a_port"),
        ("-", "not_a_port"),
        ("80-", "not_a_port"),
        ("-80", "not_a_port"),
        ("1-2-3", "not_a_port"),
        ("80; drop", "not_a_port"),
        ("80\n443", "not_a_port"),
        ("80#", "not_a_port"),
        ("$(x)", "not_a_port"),
        ("`id`", "not_a_port"),
        ("{80}", "not_a_port"),
        ("'80'", "not_a_port"),
    ],
)
def test_parse_port_refuses_with_a_reason(value, reason):
    for options in ({}, {"lenient_range": True}):
        with pytest.raises(PortSyntaxError) as caught:
            parse_port(value, **options)
        assert caught.value.reason == reason
        assert caught.value.value is value
        assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    ("value", "strict", "lenient"),
    [
        # Each caller's grammar, kept: the catalog's strict range against the model's lenient one ...
        ("8000 - 8999", "not_a_port", (8000, 8999)),
        ("99999-100000", "not_a_port", "range_out_of_range"),
        ("000080-000090", "not_a_port", (80, 90)),
    ],
)
def test_parse_port_range_grammar(value, strict, lenient):
    def outcome(**options):
        try:
            return parse_port(value, **options)
        except PortSyntaxError as exc:
            return exc.reason

    assert outcome() == strict
    assert outcome(lenient_range=True) == lenient


@pytest.mark.parametrize("value", ["\u0661", "\u00b2", "4\u00b243", "\u0661-\u0662", "\uff18\uff10"])
def test_parse_port_takes_ascii_digits_only(value):
    # str.isdigit() holds for Arabic-Indic, superscript and full-width digits; int() takes some of them and
    # refuses superscripts. A port is ASCII digits, whichever caller asks.
    for options in ({}, {"lenient_range": True}):
        with pytest.raises(PortSyntaxError) as caught:
            parse_port(value, **options)
        assert caught.value.reason == "not_a_port"


@pytest.mark.parametrize("text", ["apple.com\n", "push.apple.com\n", "apple\n", "a.b.c\n"])
def test_a_trailing_newline_is_never_a_name(text):
    # "$" also matches before a final newline; every pattern is applied with fullmatch.
    assert not is_fqdn(text)
    assert not is_label(text.split(".")[-1])


@pytest.mark.parametrize("port", [1, 443, 65535, (1, 2), (8000, 8999)])
def test_format_port_round_trips(port):
    assert parse_port(format_port(port)) == port


@pytest.mark.parametrize(("port", "expected"), [(443, (443, 443)), ("8000-8999", (8000, 8999)), ("1-2", (1, 2))])
def test_port_bounds(port, expected):
    assert port_bounds(port) == expected


# ---------------------------------------------------------------------------------------------------- injection
@pytest.mark.parametrize(("text", "described"), INJECTIONS)
def test_forbidden_char_names_the_character(text, described):
    assert forbidden_char(text) == described


@pytest.mark.parametrize(
    "text", ["apple.com", "*.apple.com", "17.0.0.0/8", "2620:149::/32", "8000-8999", "bücher.de", ""]
)
def test_forbidden_char_passes_host_and_port_syntax(text):
    assert forbidden_char(text) is None


def test_forbidden_char_reports_the_first_offender():
    assert forbidden_char("a;b c") == "';'"
    assert forbidden_char("a b;c") == "a space"


def test_every_forbidden_character_is_refused_on_its_own():
    for char, described in FORBIDDEN_CHARS.items():
        assert forbidden_char(f"apple{char}com") == described


@pytest.mark.parametrize("code", [*range(32), 127])
def test_every_control_character_is_refused(code):
    assert forbidden_char(f"apple.com{chr(code)}") is not None


@pytest.mark.parametrize(("text", "_described"), INJECTIONS)
def test_injections_are_neither_names_nor_networks_nor_ports(text, _described):
    assert not is_fqdn(text)
    with pytest.raises(ValueError):
        normalize_hostname(text)
    with pytest.raises(ValueError):
        parse_network(text)
    with pytest.raises(PortSyntaxError):
        parse_port(text, lenient_range=True)


def test_option_patterns_refuse_a_trailing_newline():
    # Every anchored pattern in the controller core ends in \Z: "$" would accept "name\n", and a newline in a
    # table, set, ACL or object name is the start of a config injection.
    import pathlib
    import re

    core = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "plugin_utils"
    loose = []
    for path in sorted(core.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r're\.compile\(r?f?"\^.*\$"\)', line):
                loose.append(f"{path.name}:{number}: {line.strip()}")
    assert not loose, "anchored with $ instead of \\Z:\n" + "\n".join(loose)


def test_renderer_names_with_a_trailing_newline_are_refused():
    from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
    from ansible_collections.netallow.apple.plugins.plugin_utils.render import nftables as _render_nftables
    from ansible_collections.netallow.apple.plugins.plugin_utils.render import squid as _render_squid

    model = build_allowlist([{"id": "s.albert.apple.com", "section": "s", "host": "albert.apple.com", "tcp": [443],
                              "udp": []}])
    with pytest.raises(ValueError, match="table"):
        _render_nftables.render(model, table="apple\n")
    with pytest.raises(ValueError):
        _render_squid.render(model, acl_prefix="apple\n")

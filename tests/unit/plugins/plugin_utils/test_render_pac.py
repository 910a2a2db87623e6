# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the PAC renderer: every answer is computed by pacparser evaluating the generated JavaScript."""

from __future__ import annotations

import os

import pacparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.pac import PacRenderError, render

APPLE = "PROXY apple-proxy.example.org:3128"
SITE_ANSWER = "PROXY site-proxy.example.org:8080"
SITE_PAC = (
    "// the site's own PAC\n"
    "function FindProxyForURL(url, host) {\n"
    '  if (isPlainHostName(host)) return "DIRECT";\n'
    f'  return "{SITE_ANSWER}";\n'
    "}\n"
)
ENTRIES = [
    {"id": "devicemanagement.push.apple.com-wildcard", "section": "devicemanagement", "host": "*.push.apple.com",
     "tcp": [443, 80, 5223, 2197], "udp": []},
    {"id": "devicesetup.albert.apple.com", "section": "devicesetup", "host": "albert.apple.com", "tcp": [443],
     "udp": []},
    {"id": "software.a.b.mzstatic.com-wildcard", "section": "software", "host": "*.b.mzstatic.com", "tcp": [443],
     "udp": []},
    {"id": "firewall.17.0.0.0-8", "section": "firewall", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
    {"id": "firewall.2620.149.0.0-32", "section": "firewall", "host": "2620:149::/32", "tcp": [443], "udp": []},
]


def evaluate(pac_text: str, hosts, tmp_dir) -> dict:
    """Evaluate ``FindProxyForURL`` for each host with pacparser (a fresh engine per file)."""
    path = os.path.join(str(tmp_dir), "naproxy-test.pac")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(pac_text)
    pacparser.init()
    try:
        pacparser.parse_pac_file(path)
        return {host: pacparser.find_proxy(f"https://{host}/", host) for host in hosts}
    finally:
        pacparser.cleanup()


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


@pytest.fixture(scope="module")
def pac_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("naproxy-pac")


MATCHING = ["1-courier.push.apple.com", "a.b.push.apple.com", "albert.apple.com", "x.b.mzstatic.com",
            "1-COURIER.PUSH.APPLE.COM", "Albert.Apple.Com.", "1-courier.push.apple.com.", "17.0.0.1",
            "17.255.255.255", "2620:149::1", "2620:0149:ffff::abcd", "[2620:149::2]"]
NOT_MATCHING = ["push.apple.com", "xpush.apple.com", "push.apple.com.example.net", "apple.com", "b.mzstatic.com",
                "mzstatic.com", "a.albert.apple.com", "albert.apple.com.evil.example", "xalbert.apple.com",
                "16.255.255.255", "18.0.0.0", "2620:14a::1", "2620:148:ffff::1", "www.example.net", "constructor",
                "hasOwnProperty", "17.0.0.1.example.net", "1.2.3", "300.1.1.1"]


def test_apple_hosts_and_look_alikes(model, pac_dir):
    answers = evaluate(render(model, proxy=APPLE, fallback=SITE_ANSWER), MATCHING + NOT_MATCHING, pac_dir)
    assert {host: answers[host] for host in MATCHING} == dict.fromkeys(MATCHING, APPLE)
    assert {host: answers[host] for host in NOT_MATCHING} == dict.fromkeys(NOT_MATCHING, SITE_ANSWER)


def test_direct_is_the_default(model, pac_dir):
    answers = evaluate(render(model, fallback=SITE_ANSWER), ["albert.apple.com", "example.com"], pac_dir)
    assert answers == {"albert.apple.com": "DIRECT", "example.com": SITE_ANSWER}


def test_site_pac_keeps_answering_for_other_hosts(model, pac_dir):
    text = render(model, proxy=[APPLE, "DIRECT"], site_pac=SITE_PAC)
    answers = evaluate(text, ["1-courier.push.apple.com", "www.example.net", "intranet"], pac_dir)
    assert answers == {"1-courier.push.apple.com": f"{APPLE}; DIRECT", "www.example.net": SITE_ANSWER,
                       "intranet": "DIRECT"}
    assert text.count("function FindProxyForURL(") == 1


def test_fragment_merges_into_a_site_pac(model, pac_dir):
    fragment = render(model, mode="fragment", proxy=APPLE)
    assert "function FindProxyForURL(" not in fragment
    merged = fragment + SITE_PAC.replace(
        "{\n", "{\n  var apple = netallowAppleFindProxyForURL(url, host);\n  if (apple) return apple;\n", 1)
    answers = evaluate(merged, ["albert.apple.com", "www.example.net"], pac_dir)
    assert answers == {"albert.apple.com": APPLE, "www.example.net": SITE_ANSWER}


def test_empty_model_sends_everything_to_the_fallback(pac_dir):
    answers = evaluate(render(build_allowlist([]), proxy=APPLE), ["albert.apple.com", "17.1.1.1"], pac_dir)
    assert set(answers.values()) == {"DIRECT"}


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"proxy": 'PROXY evil.example:80"; alert(1); //'}, "evil.example"),
        ({"proxy": "PROXY proxy.example.org"}, "proxy.example.org"),
        ({"proxy": "PROXY proxy.example.org:70000"}, "70000"),
        ({"proxy": "TELNET proxy.example.org:23"}, "TELNET"),
        ({"proxy": ""}, "DIRECT"),
        ({"fallback": "PROXY bad host:1"}, "bad host"),
        ({"mode": "merge"}, "'merge'"),
        ({"site_pac": "function other(url, host) { return 'DIRECT'; }"}, "found 0"),
        ({"mode": "fragment", "site_pac": SITE_PAC}, "mode=file"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_options_are_named(model, options, named):
    with pytest.raises(PacRenderError) as caught:
        render(model, **options)
    assert named in str(caught.value)


def test_proxy_directives_are_normalised(model):
    text = render(model, proxy="proxy  Proxy.Example.org:03128; direct")
    assert 'var NETALLOW_APPLE_PROXY = "PROXY proxy.example.org:3128; DIRECT";' in text


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(prefix=st.lists(LABEL, min_size=1, max_size=3).map(".".join), upper=st.booleans(), dot=st.booleans())
def test_any_subdomain_of_a_wildcard_matches(model, pac_dir, prefix, upper, dot):
    host = f"{prefix}.push.apple.com"
    host = (host.upper() if upper else host) + ("." if dot else "")
    assert evaluate(render(model, proxy=APPLE), [host], pac_dir)[host] == APPLE


@settings(max_examples=40, deadline=None)
@given(name=st.lists(LABEL, min_size=1, max_size=4).map(".".join))
def test_names_outside_the_allow_list_fall_through(model, pac_dir, name):
    allowed = (name == "albert.apple.com" or name.endswith(".push.apple.com") or name.endswith(".b.mzstatic.com"))
    expected = APPLE if allowed else "DIRECT"
    assert evaluate(render(model, proxy=APPLE), [name], pac_dir)[name] == expected


def test_every_host_of_the_shipped_catalog(pac_dir):
    catalog = _catalog.load_catalog()  # the collection's own catalog: it ships with the collection
    entries = _catalog.select(catalog)
    text = render(build_allowlist(entries), proxy=APPLE)
    names = []
    for entry in entries:
        if entry["kind"] == "fqdn":
            names.append(entry["host"])
        elif entry["kind"] == "wildcard":
            names += [entry["probe"] or f"probe.{entry['domain']}", f"x{entry['domain']}",
                      f"{entry['domain']}.example.net"]
    answers = evaluate(text, names, pac_dir)
    domains = {entry["domain"] for entry in entries if entry["kind"] == "wildcard"}
    fqdns = {entry["host"] for entry in entries if entry["kind"] == "fqdn"}
    for name in names:
        expected = name in fqdns or any(name.endswith("." + domain) for domain in domains)
        assert (answers[name] == APPLE) == expected, name

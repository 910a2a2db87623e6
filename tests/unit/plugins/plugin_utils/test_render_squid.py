# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the squid include renderer; the output is also parsed by the real squid when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.squid import (
    SquidRenderError,
    render,
    site_uses_ssl_bump,
    squid_domains,
)

SQUID = shutil.which("squid") or "/usr/sbin/squid"
HAVE_SQUID = os.access(SQUID, os.X_OK)

ENTRIES = [
    {"id": "devicemanagement.push.apple.com-wildcard", "section": "devicemanagement", "host": "*.push.apple.com",
     "tcp": [443, 80, 5223, 2197], "udp": []},
    {"id": "devicemanagement.push.apple.com", "section": "devicemanagement", "host": "push.apple.com",
     "tcp": [443, 80, 5223, 2197], "udp": []},
    {"id": "devicesetup.albert.apple.com", "section": "devicesetup", "host": "albert.apple.com", "tcp": [443],
     "udp": []},
    {"id": "devicesetup.time.apple.com", "section": "devicesetup", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "firewall.17.0.0.0-8", "section": "firewall", "host": "17.0.0.0/8", "tcp": [443, 5223], "udp": []},
    {"id": "firewall.2620.149.0.0-32", "section": "firewall", "host": "2620:149::/32", "tcp": [443], "udp": []},
    {"id": "software.range", "section": "software", "host": "swcdn.apple.com", "tcp": [80, "8000-8002"], "udp": []},
]
SITE = """http_port 127.0.61.1:3128
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access deny all
"""


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


def lines_of(text):
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_wildcards_use_the_dot_form_and_the_apex_is_dropped(model):
    text = render(model)
    assert "acl netallow_apple_tcp_80_443_2197_5223_names dstdomain -n .push.apple.com" in text
    # squid refuses "push.apple.com" next to ".push.apple.com" (FATAL: ... is a subdomain of ...); the header's
    # comment lines (the selection's names) are not configuration.
    config = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert " push.apple.com" not in config


def test_connect_only_to_tls_ports_plain_http_excluded(model):
    acls = lines_of(render(model))
    assert "acl netallow_apple_tcp_80_443_2197_5223_tls_ports port 443 2197 5223" in acls
    assert "acl netallow_apple_tcp_80_443_2197_5223_ports port 80 443 2197 5223" in acls
    assert "acl netallow_apple_tcp_80_8000_8002_tls_ports port 8000-8002" in acls
    assert ("http_access allow netallow_apple_connect netallow_apple_tcp_443_tls_ports netallow_apple_tcp_443_names"
            in acls)
    assert "acl netallow_apple_all_tls_ports port 443 2197 5223 8000-8002" in acls
    assert acls.index(
        "http_access deny netallow_apple_connect netallow_apple_all_names !netallow_apple_all_tls_ports"
    ) < min(index for index, line in enumerate(acls) if line.startswith("http_access allow"))


def test_udp_only_names_are_not_in_the_proxy_rules(model):
    text = render(model)
    assert "time.apple.com" not in "\n".join(lines_of(text))
    assert "# udp_123: not proxied by squid (UDP)" in text


def test_cidrs_become_dst_acls_after_the_name_rules(model):
    acls = lines_of(render(model))
    assert "acl netallow_apple_tcp_443_nets dst 2620:149::/32" in acls
    assert "acl netallow_apple_tcp_443_5223_nets dst 17.0.0.0/8" in acls
    rules = [line for line in acls if line.startswith("http_access allow")]
    names_rule = rules.index(
        "http_access allow netallow_apple_connect netallow_apple_tcp_443_tls_ports netallow_apple_tcp_443_names")
    nets_rule = rules.index(
        "http_access allow netallow_apple_connect netallow_apple_tcp_443_tls_ports netallow_apple_tcp_443_nets")
    assert names_rule < nets_rule


def test_clients_restrict_every_allow_rule(model):
    acls = lines_of(render(model, clients=["10.0.0.0/8", "fd00::1"]))
    assert "acl netallow_apple_clients src 10.0.0.0/8 fd00::1/128" in acls
    assert all(" netallow_apple_clients " in line for line in acls if line.startswith("http_access allow"))


def test_ssl_bump_auto_follows_the_site_configuration(model):
    assert not [line for line in lines_of(render(model, site_config=SITE)) if "ssl_bump" in line]
    bump_site = SITE + "ssl_bump peek step1\nssl_bump bump all\n"
    assert site_uses_ssl_bump(bump_site) and not site_uses_ssl_bump("# ssl_bump bump all\n")
    acls = lines_of(render(model, site_config=bump_site))
    assert "acl netallow_apple_tls_names ssl::server_name albert.apple.com .push.apple.com swcdn.apple.com" in acls
    assert acls[-2:] == [
        "ssl_bump peek netallow_apple_step1 netallow_apple_tls_names",
        "ssl_bump splice netallow_apple_step2 netallow_apple_tls_names",
    ]
    assert "ssl::server_name" not in render(model, site_config=bump_site, ssl_bump=False)
    assert "ssl_bump splice" in render(model, ssl_bump=True)


def test_prefix_and_deny_switch(model):
    text = render(model, acl_prefix="corp_apple", deny_other_connect_ports=False, header=False)
    assert text.startswith("acl corp_apple_connect method CONNECT")
    assert "http_access deny" not in text
    assert "netallow_apple" not in text


def test_rendering_is_deterministic(model):
    assert render(model) == render(build_allowlist(list(reversed(ENTRIES))))


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"acl_prefix": "bad prefix"}, "'bad prefix'"),
        ({"acl_prefix": "x\nhttp_access allow all"}, "http_access allow all"),
        ({"clients": ["10.0.0.0/8", "all"]}, "'all'"),
        ({"clients": ["10.0.0.0/8 deny"]}, "'10.0.0.0/8 deny'"),
        ({"plain_http_ports": [70000]}, "70000"),
        ({"ssl_bump": "sometimes"}, "'sometimes'"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_options_are_named(model, options, named):
    with pytest.raises(SquidRenderError) as caught:
        render(model, **options)
    assert named in str(caught.value)


def test_squid_domains_collapses_what_squid_refuses():
    assert squid_domains(["push.apple.com", "a.push.apple.com", "apple.com", "x.org"],
                         ["push.apple.com", "b.c.push.apple.com"]) == ["apple.com", ".push.apple.com", "x.org"]


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
NAME = st.lists(LABEL, min_size=1, max_size=4).map(".".join)


@settings(max_examples=200, deadline=None)
@given(fqdns=st.lists(NAME, max_size=8), wildcards=st.lists(NAME, max_size=5))
def test_squid_domains_never_lists_a_name_under_another_dot_domain(fqdns, wildcards):
    values = squid_domains(fqdns, wildcards)
    dots = [value for value in values if value.startswith(".")]
    for value in values:
        plain = value.lstrip(".")
        assert not any(plain == dot[1:] and value != dot or plain.endswith(dot) for dot in dots)
    # Nothing that was allowed is lost: every input name is still matched by squid's rules.
    for name in fqdns + wildcards:
        assert name in values or any(name == dot[1:] or name.endswith(dot) for dot in dots)


def _parse(tmp_path, include_text, site=SITE):
    (tmp_path / "netallow-apple.conf").write_text(include_text)
    conf = tmp_path / "squid.conf"
    head, sep, tail = site.partition("http_access")
    conf.write_text(f"{head}include {tmp_path}/netallow-apple.conf\n{sep}{tail}"
                    f"pid_filename {tmp_path}/squid.pid\n")
    return subprocess.run([SQUID, "-k", "parse", "-f", str(conf)], capture_output=True, text=True, check=False)


@pytest.mark.skipif(not HAVE_SQUID, reason="squid is not installed")
@pytest.mark.parametrize("ssl_bump", [False, True])
def test_real_squid_parses_the_include(tmp_path, model, ssl_bump):
    result = _parse(tmp_path, render(model, ssl_bump=ssl_bump, clients=["127.0.0.0/8"]))
    assert result.returncode == 0, result.stderr
    assert "FATAL" not in result.stderr and "WARNING: You should probably remove" not in result.stderr
    assert "Processing: acl netallow_apple_all_names dstdomain -n" in result.stderr


@pytest.mark.skipif(not HAVE_SQUID, reason="squid is not installed")
def test_real_squid_rejects_an_acl_name_clash(tmp_path, model):
    site = "acl clash_connect src 10.0.0.0/8\n" + SITE
    result = _parse(tmp_path, render(model, acl_prefix="clash"), site)
    assert result.returncode != 0


@pytest.mark.skipif(not HAVE_SQUID, reason="squid is not installed")
def test_real_squid_parses_the_whole_catalog(tmp_path):
    catalog = _catalog.load_catalog()  # the collection's own catalog: it ships with the collection
    model = build_allowlist(_catalog.select(catalog))
    result = _parse(tmp_path, render(model, ssl_bump=True))
    assert result.returncode == 0, result.stderr
    assert "FATAL" not in result.stderr and "is a subdomain of" not in result.stderr

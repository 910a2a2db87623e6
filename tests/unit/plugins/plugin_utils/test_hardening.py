# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile and careless inputs against the shared checks and the renderers, with the real tools where they exist.

Each case is an attack that once produced configuration: a zone id carrying a squid directive, a string "false"
turning dropping on, a hand-made model pasting a line into a ruleset, a table of the user's replaced.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pacparser
import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils import _allowlist, _syntax
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.firewalld import (
    FirewalldRenderError,
)
from ansible_collections.netallow.apple.plugins.plugin_utils.render.firewalld import render as render_firewalld
from ansible_collections.netallow.apple.plugins.plugin_utils.render.iptables import IptablesRenderError
from ansible_collections.netallow.apple.plugins.plugin_utils.render.iptables import render as render_iptables
from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import NftablesRenderError
from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import render as render_nftables
from ansible_collections.netallow.apple.plugins.plugin_utils.render.pac import PacRenderError
from ansible_collections.netallow.apple.plugins.plugin_utils.render.pac import render as render_pac
from ansible_collections.netallow.apple.plugins.plugin_utils.render.squid import SquidRenderError
from ansible_collections.netallow.apple.plugins.plugin_utils.render.squid import render as render_squid
from ansible_collections.netallow.apple.tests.unit.real_components import IS_ROOT, live_table, needs_netns, nft


def parse_address(*args, **kwargs):
    return _syntax.parse_address(*args, **kwargs)


def parse_cidr(*args, **kwargs):
    return _syntax.parse_cidr(*args, **kwargs)


def parse_bool(*args, **kwargs):
    return _syntax.parse_bool(*args, **kwargs)


def check_model(*args, **kwargs):
    return _allowlist.check_model(*args, **kwargs)


SQUID = shutil.which("squid") or "/usr/sbin/squid"
IPTABLES_RESTORE = shutil.which("iptables-restore") or "/usr/sbin/iptables-restore"

ENTRIES = [
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
]
# A zone id is any text to Python's ipaddress; each of these once reached a configuration file verbatim.
ZONE_ID_ATTACKS = [
    "fe80::1%lo\nhttp_access allow all\n#",
    "fe80::1%lo/128",
    'fe80::1%x" /><rule><accept/></rule><x a="',
    "fe80::1%eth0",
    "10.0.0.1\n",
    " 10.0.0.1",
    "10.0.0.0/8 10.1.0.0/16",
]
USER_TABLE = """table inet filter {
\tset admins {
\t\ttype ipv4_addr
\t\telements = { 10.9.9.9 }
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tip saddr @admins tcp dport 22 accept comment "site ssh"
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t\tct state established,related accept
\t}

\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t}
}
"""


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


# ------------------------------------------------------------------------------------------- 1: addresses
@pytest.mark.parametrize("value", ZONE_ID_ATTACKS)
def test_shared_address_checks_refuse_zone_ids_and_whitespace(value):
    with pytest.raises(ValueError, match="is not valid"):
        parse_cidr(value, "clients entry")
    with pytest.raises(ValueError, match="is not valid"):
        parse_address(value, "resolvers entry")


def test_shared_address_checks_accept_plain_addresses():
    assert str(parse_cidr("10.0.0.1/8")) == "10.0.0.0/8"
    assert str(parse_cidr("fd00::/8")) == "fd00::/8"
    assert str(parse_address("2001:db8::1")) == "2001:db8::1"
    with pytest.raises(ValueError, match="host bits"):
        parse_cidr("10.0.0.1/8", strict=True)
    for value in (None, 10, True, ["10.0.0.1"]):
        with pytest.raises(ValueError, match="expected a string"):
            parse_address(value)


@pytest.mark.parametrize("value", ZONE_ID_ATTACKS)
def test_squid_clients_cannot_carry_a_directive(model, value):
    with pytest.raises(SquidRenderError, match="clients entry"):
        render_squid(model, clients=["10.0.0.0/8", value])


@pytest.mark.parametrize("option", ["clients", "resolvers"])
@pytest.mark.parametrize("value", ZONE_ID_ATTACKS)
def test_nftables_addresses_cannot_carry_a_statement(model, option, value):
    with pytest.raises(NftablesRenderError, match=f"{option} entry"):
        render_nftables(model, **{option: [value]})


@pytest.mark.parametrize("value", ZONE_ID_ATTACKS)
def test_firewalld_resolvers_cannot_carry_an_attribute(model, value):
    with pytest.raises(FirewalldRenderError, match="resolvers entry"):
        render_firewalld(model, resolvers=[value])


@pytest.mark.parametrize("directive", [
    "PROXY [fe80::1%x; DIRECT]:3128",
    "PROXY [fe80::1%lo]:3128",
    "PROXY proxy.example.com:3128\nDIRECT",
    "PROXY 10.0.0.1 :3128",
])
def test_pac_proxy_directive_cannot_add_a_directive(model, directive):
    with pytest.raises(PacRenderError, match="proxy directive"):
        render_pac(model, proxy=[directive])


def test_pac_leading_zero_ipv4_is_not_apple(model, tmp_path):
    """Browsers read 017.0.0.1 as octal (15.0.0.1): it must not go the Apple way."""
    path = tmp_path / "proxy.pac"
    path.write_text(render_pac(model, proxy="PROXY apple-proxy.example.com:3128", fallback="PROXY other.example:8080"))
    pacparser.init()
    try:
        pacparser.parse_pac_file(str(path))
        answers = {host: pacparser.find_proxy(f"https://{host}/", host)
                   for host in ("17.0.0.1", "017.0.0.1", "17.000.0.1", "0x11.0.0.1")}
    finally:
        pacparser.cleanup()
    assert answers["17.0.0.1"] == "PROXY apple-proxy.example.com:3128"
    assert answers["017.0.0.1"] == answers["17.000.0.1"] == answers["0x11.0.0.1"] == "PROXY other.example:8080"


# ------------------------------------------------------------------------------------------- 3: booleans
@pytest.mark.parametrize("false", [False, "false", "False", "no", "off", "0", 0, "n"])
def test_string_false_does_not_turn_dropping_on(model, false):
    assert "counter drop" not in render_nftables(model, artifact="persist", drop_other=false)
    files = render_firewalld(model, drop_other=false)
    assert 'target=\\"CONTINUE\\"' in files and "DROP" not in files
    assert "http_access deny" not in render_squid(model, deny_other_connect_ports=false)


@pytest.mark.parametrize("true", [True, "true", "yes", "on", "1", 1])
def test_string_true_is_true(model, true):
    assert "counter drop" in render_nftables(model, artifact="persist", drop_other=true)
    assert 'target=\\"DROP\\"' in render_firewalld(model, drop_other=true)
    assert "http_access deny" in render_squid(model, deny_other_connect_ports=true)


@pytest.mark.parametrize("value", ["maybe", "", "falsch", 2, -1, [], {}])
def test_non_booleans_are_refused_by_name(model, value):
    with pytest.raises(NftablesRenderError, match=r"drop_other .* not a boolean; valid values"):
        render_nftables(model, drop_other=value)
    with pytest.raises(FirewalldRenderError, match=r"drop_other .* not a boolean"):
        render_firewalld(model, drop_other=value)
    with pytest.raises(SquidRenderError, match=r"deny_other_connect_ports .* not a boolean"):
        render_squid(model, deny_other_connect_ports=value)
    with pytest.raises(PacRenderError, match=r"header .* not a boolean"):
        render_pac(model, header=value)
    with pytest.raises(ValueError, match="is not a boolean"):
        parse_bool(value, "option")


# ------------------------------------------------------------------------------------------- model
@pytest.mark.parametrize("mutate, named", [
    (lambda m: m["groups"][0]["fqdns"].append("evil.example\nflush ruleset"), "evil.example"),
    (lambda m: m["groups"][0]["fqdns"].append("Upper.Apple.com"), "Upper.Apple.com"),
    (lambda m: m["groups"][0]["cidrs4"].append("10.0.0.0/8 } ; flush ruleset ; {"), "flush ruleset"),
    (lambda m: m["groups"][0]["cidrs4"].append("2620:149::/32"), "2620:149::/32"),
    (lambda m: m["groups"][0]["ports"].append("443; drop"), "443; drop"),
    (lambda m: m["groups"][0].update(protocol="icmp"), "icmp"),
    (lambda m: m["groups"][0].update(name="tcp_443\n"), "tcp_443"),
    (lambda m: m["groups"][0].pop("protocol"), "lacks protocol"),
    (lambda m: m["wildcards"].append("*.apple.com"), "*.apple.com"),
    (lambda m: m.update(entry_count="7; drop"), "entry_count"),
])
def test_a_hand_made_model_is_refused_by_name(model, mutate, named):
    import copy
    bad = copy.deepcopy(model)
    mutate(bad)
    with pytest.raises(ValueError) as caught:
        check_model(bad)
    assert named in str(caught.value)
    for render, error in ((render_nftables, NftablesRenderError), (render_squid, SquidRenderError),
                          (render_firewalld, FirewalldRenderError), (render_pac, PacRenderError)):
        with pytest.raises(error, match="allow-list model"):
            render(bad)


def test_the_built_model_passes(model):
    check_model(model)
    check_model(build_allowlist([]))


# ------------------------------------------------------------------------------------------- iptables
@pytest.mark.parametrize("chain", ["INPUT", "OUTPUT", "FORWARD", "output"])
def test_iptables_refuses_a_built_in_chain(model, chain):
    with pytest.raises(IptablesRenderError, match="built-in chain"):
        render_iptables(model, artifact="rules4", chain=chain)


@pytest.mark.skipif(not (os.access(IPTABLES_RESTORE, os.X_OK) and IS_ROOT), reason="needs iptables-restore and root")
def test_iptables_rules_of_its_own_chain_pass_iptables_restore(model):
    text = render_iptables(model, artifact="rules4", hook="none")
    result = subprocess.run(["unshare", "-n", IPTABLES_RESTORE, "--test", "--noflush"], input=text,
                            capture_output=True, text=True, timeout=60, check=False)
    # The ipsets do not exist in a fresh namespace: only the set lookups may fail, never the syntax.
    assert result.returncode == 0 or "Set" in result.stderr, result.stderr


# ------------------------------------------------------------------------------------------- 2: ownership
# The scratch namespace is the shared ``netns`` fixture (tests/unit/conftest.py).
def live(netns_name, table):
    return live_table(netns_name, table)


@needs_netns
@pytest.mark.parametrize("state", ["present", "absent"])
def test_enforce_mode_refuses_the_users_table_and_changes_nothing(model, netns, state):
    nft(netns, "-f", "-", stdin=USER_TABLE)
    before = nft(netns, "list", "ruleset").stdout
    with pytest.raises(NftablesRenderError) as caught:
        render_nftables(model, table="filter", state=state, current=live(netns, "filter"))
    message = str(caught.value)
    assert "inet filter holds objects netallow.apple did not write" in message
    assert "chain 'input' (hook input, policy drop)" in message and "set 'admins'" in message
    assert nft(netns, "list", "ruleset").stdout == before == USER_TABLE


# A table the user made that looks like one the collection writes: only an empty base chain with policy accept.
USER_EMPTY_CHAIN = """table inet edge {
\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t}
}
"""


@needs_netns
@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("user_table, named", [
    (USER_EMPTY_CHAIN, "chain 'output' (hook output, policy accept) without the collection's tag"),
    ("table inet edge {\n}\n", "no chain at all"),
])
def test_enforce_mode_never_takes_over_an_empty_chain_or_table_of_the_user(model, netns, state, user_table, named):
    nft(netns, "-f", "-", stdin=user_table)
    before = nft(netns, "list", "ruleset").stdout
    with pytest.raises(NftablesRenderError) as caught:
        render_nftables(model, table="edge", state=state, current=live(netns, "edge"))
    assert "table inet edge holds objects netallow.apple did not write" in str(caught.value)
    assert named in str(caught.value)
    assert nft(netns, "list", "ruleset").stdout == before == user_table


@needs_netns
def test_enforce_mode_refuses_its_own_table_once_the_user_added_to_it(model, netns):
    nft(netns, "-f", "-", stdin=render_nftables(model, current=""))
    nft(netns, "add", "rule", "inet", "netallow_apple", "output", "tcp", "dport", "2222", "accept")
    before = nft(netns, "list", "ruleset").stdout
    for state in ("present", "absent"):
        with pytest.raises(NftablesRenderError, match="untagged rule in chain 'output'"):
            render_nftables(build_allowlist(ENTRIES[:1]), state=state, current=live(netns, "netallow_apple"))
    assert nft(netns, "list", "ruleset").stdout == before


@needs_netns
def test_enforce_mode_replaces_and_removes_only_its_own_table(model, netns):
    nft(netns, "-f", "-", stdin=USER_TABLE)
    for current_model in (model, build_allowlist(ENTRIES[:1])):
        text = render_nftables(current_model, drop_other="true", current=live(netns, "netallow_apple"))
        nft(netns, "-f", "-", stdin=text)
        assert nft(netns, "list", "table", "inet", "filter").stdout == USER_TABLE
    nft(netns, "-f", "-", stdin=render_nftables(model, state="absent", current=live(netns, "netallow_apple")))
    assert nft(netns, "list", "ruleset").stdout == USER_TABLE


@needs_netns
def test_allow_mode_leaves_the_users_table_byte_identical_after_removal(model, netns):
    nft(netns, "-f", "-", stdin=USER_TABLE)
    options = {"mode": "allow", "table": "filter", "chain": "input"}
    nft(netns, "-f", "-", stdin=render_nftables(model, current=live(netns, "filter"), **options))
    listing = nft(netns, "list", "table", "inet", "filter").stdout
    assert "jump netallow_apple" in listing and 'ip saddr @admins tcp dport 22 accept comment "site ssh"' in listing
    nft(netns, "-f", "-", stdin=render_nftables(model, state="absent", current=live(netns, "filter"), **options))
    assert nft(netns, "list", "ruleset").stdout == USER_TABLE


def test_allow_mode_refuses_a_live_chain_name_it_cannot_quote(model):
    current = {"nftables": [
        {"table": {"family": "inet", "name": "filter", "handle": 1}},
        {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input; flush ruleset", "handle": 4,
                  "comment": "netallow_apple:0123456789abcdef"}},
    ]}
    with pytest.raises(NftablesRenderError, match="cannot be named safely"):
        render_nftables(model, mode="allow", table="filter", chain="input", state="absent", current=current)


# ------------------------------------------------------------------------------------------- real squid
@pytest.mark.skipif(not os.access(SQUID, os.X_OK), reason="squid is not installed")
def test_real_squid_parses_the_include_with_plain_clients(model, tmp_path):
    include = tmp_path / "netallow.conf"
    include.write_text(render_squid(model, clients=["10.0.0.0/8", "fd00::/8"]))
    conf = tmp_path / "squid.conf"
    conf.write_text(f"include {include}\nhttp_access deny all\nhttp_port 127.0.0.1:3128\n"
                    f"pid_filename {tmp_path}/squid.pid\ncache_log {tmp_path}/cache.log\n")
    result = subprocess.run([SQUID, "-k", "parse", "-f", str(conf)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "http_access allow all" not in include.read_text()


# ------------------------------------------------------------------------------------------- names and targets
@pytest.mark.parametrize("target", [
    "https://evil.com\\@albert.apple.com/",
    "https://evil.com\\\\albert.apple.com/",
    "albert.apple.com\r\nX-Injected: 1",
    "albert.apple.com\tx",
])
def test_a_target_parsers_disagree_on_is_refused(target):
    from ansible_collections.netallow.apple.plugins.plugin_utils._matching import host_from_target
    with pytest.raises(ValueError, match="backslash, a space or a control character"):
        host_from_target(target)


@pytest.mark.parametrize("host", ["apple.com..", "*.apple.com..", "albert.apple.com.."])
def test_two_trailing_dots_are_not_a_name(host):
    with pytest.raises(_allowlist.AllowlistError, match="label ''"):
        _allowlist.validate_host(host)
    assert _allowlist.validate_host(host[:-1]) == host[:-2]


# ------------------------------------------------------------------------------------------- reports
def test_markdown_report_neutralises_a_hostile_proxy_text():
    from ansible_collections.netallow.apple.plugins.plugin_utils._report import to_markdown
    detail = "proxy answered 403 ok\r![tracker](http://evil.example/x.png) [click](http://evil.example/) `code`"
    item = {"host": "albert.apple.com", "probe": "albert.apple.com", "port": 443, "protocol": "tcp", "id": "ds.a",
            "required": True, "status": "proxy_denied", "stage": "proxy", "addresses": [], "address_owner": None,
            "address": None, "proxy": "http://127.0.0.1:3128", "issuer": None, "elapsed_ms": 1, "detail": detail}
    text = to_markdown({"changed": False, "results": [item], "summary": {"total": 1}})
    assert "\r" not in text
    assert "![tracker](" not in text and "[click](" not in text and "`code`" not in text
    assert "tracker" in text and "evil.example" in text  # shown, as text

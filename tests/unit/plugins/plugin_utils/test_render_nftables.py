# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the nftables renderer; as root, every rendered transaction is also applied by the real nft in a
scratch network namespace and the next one is computed from the live state nft reports."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.netallow.apple.plugins.module_utils._stamp import stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import (
    COMMENT_MAX,
    OUTPUTS,
    NftablesRenderError,
    render,
    stamp_comments,
)
from ansible_collections.netallow.apple.tests.unit.real_components import NFT, live_table, needs_netns, nft

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "dm.courier", "section": "dm", "host": "1-courier.push.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443, 5223], "udp": ["16384-16387"]},
    {"id": "fw.v6", "section": "fw", "host": "2620:149::/32", "tcp": [443, 5223], "udp": []},
]
USER_TABLE = """table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    tcp dport 22 accept comment "site ssh"
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
  }
}
"""


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


# The scratch namespace is the shared ``netns`` fixture (tests/unit/conftest.py).
def live(netns_name, family="inet", table="netallow_apple"):
    return live_table(netns_name, table, family)


def apply(netns_name, text):
    nft(netns_name, "-c", "-f", "-", stdin=text)
    nft(netns_name, "-f", "-", stdin=text)


# ---------------------------------------------------------------------------------------------- pure rendering
def test_declared_outputs_render(model):
    for path, options in OUTPUTS.items():
        assert path.startswith("nftables/")
        assert render(model, **options).strip()


def test_enforce_ruleset_has_static_and_dynamic_sets_and_one_rule_per_set(model):
    text = render(model, hook="forward", clients=["10.0.0.0/8"])
    assert "table inet netallow_apple {" in text
    assert "set tcp_443_5223_net4 {" in text and "elements = { 17.0.0.0/8 }" in text
    assert "set tcp_443_5223_net6 {" in text and "elements = { 2620:149::/32 }" in text
    assert "flags dynamic, timeout; timeout 3600s;" in text
    assert ("ip daddr @udp_16384_16387_net4 udp dport { 16384-16387 } accept" in text)
    assert "ip daddr @tcp_443_dns4 tcp dport { 443 } update @tcp_443_dns4 { ip daddr } accept" in text
    assert "type filter hook forward priority filter; policy accept;" in text
    assert 'ip saddr { 10.0.0.0/8 } jump allowlist comment "netallow_apple:' in text
    assert text.rstrip().endswith("}")
    assert 'counter drop comment "netallow_apple"' in text


def test_output_hook_keeps_loopback_ssh_and_dhcp(model):
    text = render(model, hook="output", ssh_port=2222, resolvers=["192.0.2.53", "2001:db8::53"])
    assert 'oifname "lo" accept' in text
    assert "tcp sport 2222 accept" in text
    assert "udp sport 68 udp dport 67 accept" in text
    assert "ip daddr { 192.0.2.53/32 } meta l4proto { tcp, udp } th dport 53 accept" in text
    assert "ip6 daddr { 2001:db8::53/128 }" in text
    no_ssh = render(model, hook="output", ssh_port=None, dhcp=False)
    assert "tcp sport" not in no_ssh and "dport 67" not in no_ssh


def test_monitor_mode_logs_instead_of_dropping(model):
    text = render(model, drop_other=False)
    assert "counter drop" not in text
    assert 'log prefix "netallow_apple would drop: "' in text


def test_family_ip_renders_ipv4_only(model):
    text = render(model, family="ip")
    assert "ip6" not in text and "ipv6_addr" not in text
    assert "table ip netallow_apple" in text


def test_fingerprint_changes_with_the_configuration(model):
    first = render(model, artifact="fingerprint")
    assert first.startswith("netallow_apple:") and len(first) == len("netallow_apple:") + 16
    assert render(model, artifact="fingerprint") == first
    assert render(model, artifact="fingerprint", hook="forward") != first
    assert render(build_allowlist(ENTRIES[:-1]), artifact="fingerprint") != first


def test_stamp_in_the_table_comment_and_the_first_rule_of_the_own_chain():
    stamped = build_allowlist(ENTRIES, catalog_version="2026.3.1")
    line = stamp_lines(stamped["stamp"])[0]
    enforce = render(stamped).splitlines()
    assert f'\tcomment "{line}"' in enforce
    first_rule = enforce[enforce.index("\tchain allowlist {") + 1]
    assert first_rule == f'\t\tct state established,related accept comment "netallow_apple: {line}"'
    allow = render(stamped, mode="allow", table="filter", chain="forward",
                   current={"nftables": [{"table": {"family": "inet", "name": "filter"}},
                                         {"chain": {"family": "inet", "table": "filter", "name": "forward"}}]})
    assert "\tcomment " not in allow  # the table is the user's, and so is its comment
    lines = allow.splitlines()
    assert lines[lines.index("\tchain netallow_apple {") + 1].endswith(f'accept comment "netallow_apple: {line}"')
    assert sum(f"netallow_apple: {line}" in text for text in lines) == 1
    # The stamp is part of what the fingerprint covers: a new catalog version rewrites the rules.
    newer = build_allowlist(ENTRIES, catalog_version="2026.3.2")
    assert render(newer, artifact="fingerprint") != render(stamped, artifact="fingerprint")


def test_stamp_too_long_for_nft_is_left_out_of_the_live_ruleset():
    version = "2026.3.1-" + "x" * 30
    text = render(build_allowlist(ENTRIES, catalog_version=version))
    assert f"# netallow.apple stamp: catalog_version={version} " in text  # the header keeps it
    assert "netallow_apple: netallow.apple stamp" not in text
    assert max(len(comment) for comment in re.findall(r'comment "([^"]*)"', text)) <= COMMENT_MAX
    table_comment, rule_comment = stamp_comments(build_allowlist(ENTRIES, catalog_version="2026.3.1-" + "x" * 25))
    assert rule_comment is None and table_comment is not None and len(table_comment) <= COMMENT_MAX
    assert stamp_comments({"groups": []}) == (None, None)


def test_nothing_to_do_when_the_live_state_carries_the_fingerprint(model):
    fingerprint = render(model, artifact="fingerprint")
    current = {"nftables": [{"table": {"family": "inet", "name": "netallow_apple", "handle": 1}},
                            {"rule": {"chain": "output", "handle": 9, "comment": fingerprint}}]}
    assert render(model, current=json.dumps(current)) == ""
    assert render(model, current=current, hook="forward") != ""


def test_a_change_replaces_owned_objects_and_keeps_learnt_addresses(model):
    current = {"nftables": [
        {"table": {"family": "inet", "name": "netallow_apple", "handle": 1}},
        {"set": {"name": "tcp_443_dns4", "type": "ipv4_addr", "flags": ["timeout"], "timeout": 3600}},
        {"set": {"name": "tcp_443_dns6", "type": "ipv6_addr", "flags": ["timeout"], "timeout": 60}},
        {"set": {"name": "tcp_443_5223_net4", "type": "ipv4_addr", "flags": ["interval"]}},
        {"set": {"name": "tcp_9999_net4", "type": "ipv4_addr", "flags": ["interval"]}},
        {"chain": {"name": "allowlist"}},
        {"chain": {"name": "output", "hook": "output", "type": "filter", "policy": "accept"}},
        {"rule": {"chain": "output", "handle": 4, "comment": "netallow_apple:0000000000000000"}},
    ]}
    lines = render(model, current=current, hook="forward").splitlines()
    assert "flush chain inet netallow_apple allowlist" in lines
    assert "delete chain inet netallow_apple output" in lines  # the hook moved to forward
    assert "flush set inet netallow_apple tcp_443_5223_net4" in lines
    assert "delete set inet netallow_apple tcp_9999_net4" in lines  # no longer wanted
    assert "delete set inet netallow_apple tcp_443_dns6" in lines  # timeout changed
    assert not any(line.endswith("tcp_443_dns4") and line.startswith(("delete", "flush")) for line in lines)
    flushes = [i for i, line in enumerate(lines) if line.startswith("flush chain")]
    deletes = [i for i, line in enumerate(lines) if line.startswith("delete set")]
    assert max(flushes) < min(deletes)


def test_allow_mode_touches_only_its_own_objects(model):
    current = {"nftables": [
        {"table": {"family": "inet", "name": "filter", "handle": 1}},
        {"chain": {"name": "forward", "hook": "forward"}},
        {"chain": {"name": "netallow_apple"}},
        {"set": {"name": "site_blocklist", "type": "ipv4_addr", "flags": ["interval"]}},
        {"set": {"name": "netallow_apple_tcp_1_net4", "type": "ipv4_addr", "flags": ["interval"]}},
        {"rule": {"chain": "forward", "handle": 7, "comment": "netallow_apple:0123456789abcdef"}},
        {"rule": {"chain": "forward", "handle": 8, "comment": "site rule"}},
    ]}
    text = render(model, mode="allow", table="filter", chain="forward", current=current)
    assert "delete rule inet filter forward handle 7" in text
    assert "handle 8" not in text and "site_blocklist" not in text
    assert "delete set inet filter netallow_apple_tcp_1_net4" in text
    assert "set netallow_apple_tcp_443_5223_net4 {" in text
    assert "insert rule inet filter forward jump netallow_apple comment \"netallow_apple:" in text
    assert "policy" not in text  # allow mode never declares a base chain or a drop


def test_allow_mode_needs_the_users_table_and_chain(model):
    with pytest.raises(NftablesRenderError, match="table inet filter .* does not exist"):
        render(model, mode="allow", table="filter", chain="forward", current="")
    current = {"nftables": [{"table": {"family": "inet", "name": "filter"}}, {"chain": {"name": "input"}}]}
    with pytest.raises(NftablesRenderError, match="chain 'forward'.*chains there: input"):
        render(model, mode="allow", table="filter", chain="forward", current=current)
    with pytest.raises(NftablesRenderError, match="name the table that holds your dropping chain"):
        render(model, mode="allow", chain="forward")
    with pytest.raises(NftablesRenderError, match="table 'netallow_apple': the collection's own table"):
        render(model, mode="allow", table="netallow_apple", chain="forward")
    with pytest.raises(NftablesRenderError, match="chain None is not a valid nftables name"):
        render(model, mode="allow", table="filter")


def test_absent(model):
    assert render(model, state="absent", current="") == ""
    current = {"nftables": [
        {"table": {"family": "inet", "name": "netallow_apple"}},
        {"chain": {"family": "inet", "table": "netallow_apple", "name": "output", "type": "filter", "hook": "output",
                   "policy": "accept"}},
        {"rule": {"family": "inet", "table": "netallow_apple", "chain": "output", "handle": 3,
                  "comment": "netallow_apple:0123456789abcdef"}},
    ]}
    assert render(model, state="absent", current=current, header=False) == "delete table inet netallow_apple\n"
    # An empty table of that name is not proof the collection made it: it is left alone, by name.
    empty = {"nftables": [{"table": {"family": "inet", "name": "netallow_apple"}}]}
    with pytest.raises(NftablesRenderError, match="no chain at all"):
        render(model, state="absent", current=empty)
    assert render(model, state="absent", artifact="persist") == ""


def test_persist_file_reloads_without_duplicating(model):
    text = render(model, artifact="persist", header=False).splitlines()
    assert text[:2] == ["table inet netallow_apple", "delete table inet netallow_apple"]
    allow = render(model, artifact="persist", mode="allow", table="filter", chain="output")
    assert "delete table" not in allow


def test_dnsmasq_lines_carry_the_sets_of_covering_wildcards(model):
    lines = render(model, artifact="dnsmasq", header=False).splitlines()
    courier = next(line for line in lines if "/1-courier.push.apple.com/" in line)
    assert "4#inet#netallow_apple#tcp_443_dns4" in courier and "4#inet#netallow_apple#tcp_443_5223_dns4" in courier
    assert any(line.startswith("nftset=/push.apple.com/") for line in lines)
    assert all(line.startswith("nftset=/") for line in lines)


def test_refresh_lists_exact_names_only(model):
    names = json.loads(render(model, artifact="refresh"))
    assert set(names["names"]) == {"1-courier.push.apple.com", "albert.apple.com", "time.apple.com"}
    assert names["names"]["time.apple.com"]["4"] == ["udp_123_dns4"]
    assert names["timeout"] == 3600 and names["table"] == "netallow_apple"


@pytest.mark.parametrize(("options", "message"), [
    ({"mode": "block"}, "option mode 'block': not a valid choice; valid choices: enforce, allow"),
    ({"hook": "input"}, "option hook 'input': not a valid choice; valid choices: output, forward"),
    ({"colour": "red"}, "option.s. colour: unknown; valid options: mode"),
    ({"table": "bad name"}, "table 'bad name' is not a valid nftables name"),
    ({"clients": ["10.0.0.0/33"]}, "clients entry '10.0.0.0/33' is not valid"),
    ({"interfaces": ['eth0"; flush ruleset']}, "not an interface name"),
    ({"resolvers": ["dns.example"]}, "resolvers entry 'dns.example'"),
    ({"priority": 5000}, "option priority 5000: use an integer from -1000 to 1000"),
    ({"ssh_port": 70000}, "option ssh_port 70000: use a port from 1 to 65535"),
    ({"dynamic_timeout": "1 hour"}, "dynamic_timeout '1 hour' is not valid"),
    ({"chain": "forward"}, "only used in allow mode"),
    ({"current": "{not json"}, "current is not the JSON output"),
    ({"family": "ip", "clients": ["fd00::/8"]}, "has no address of family ip"),
])
def test_bad_options_name_the_value(model, options, message):
    with pytest.raises(NftablesRenderError, match=message.replace("(", r"\(").replace("[", r"\[")):
        render(model, **options)


def test_model_is_required():
    with pytest.raises(NftablesRenderError, match="allow-list model"):
        render(["17.0.0.0/8"])


# ---------------------------------------------------------------------------------------------- the real nft
@needs_netns
def test_enforce_apply_is_idempotent_and_removal_is_exact(model, netns):
    nft(netns, "-f", "-", stdin=USER_TABLE)
    before = nft(netns, "list", "table", "inet", "filter").stdout
    options = {"hook": "forward", "clients": ["10.0.0.0/8", "fd00::/8"]}
    apply(netns, render(model, current=live(netns), **options))
    assert render(model, current=live(netns), **options) == ""
    # learn an address, change the configuration: the learnt address survives the atomic replacement
    nft(netns, "add", "element", "inet", "netallow_apple", "tcp_443_dns4", "{ 203.0.113.7 }")
    smaller = build_allowlist(ENTRIES[:-1])
    apply(netns, render(smaller, current=live(netns), **options))
    listing = nft(netns, "list", "table", "inet", "netallow_apple").stdout
    assert "203.0.113.7" in listing and "2620:149::/32" not in listing
    assert render(smaller, current=live(netns), **options) == ""
    apply(netns, render(smaller, state="absent", current=live(netns)))
    assert live(netns) == ""
    assert nft(netns, "list", "table", "inet", "filter").stdout == before


@needs_netns
def test_allow_apply_and_removal_leave_the_users_rules(model, netns):
    nft(netns, "-f", "-", stdin=USER_TABLE)
    before = nft(netns, "-s", "list", "table", "inet", "filter").stdout
    options = {"mode": "allow", "table": "filter", "chain": "forward"}
    for _pass in range(2):  # the second pass has nothing to do
        text = render(model, current=live(netns, table="filter"), **options)
        if text:
            apply(netns, text)
    listing = nft(netns, "-a", "list", "chain", "inet", "filter", "forward").stdout
    assert listing.count("jump netallow_apple") == 1
    assert listing.index("jump netallow_apple") < listing.index("ct state established,related accept")
    apply(netns, render(build_allowlist(ENTRIES[:2]), current=live(netns, table="filter"), **options))
    assert nft(netns, "list", "chain", "inet", "filter", "forward").stdout.count("jump netallow_apple") == 1
    apply(netns, render(model, state="absent", current=live(netns, table="filter"), **options))
    assert nft(netns, "-s", "list", "table", "inet", "filter").stdout == before


@needs_netns
def test_boot_file_loads_twice_in_a_row(model, netns):
    text = render(model, artifact="persist", hook="output", resolvers=["192.0.2.53"])
    apply(netns, text)
    apply(netns, text)
    assert nft(netns, "list", "chain", "inet", "netallow_apple", "output").stdout.count("jump allowlist") == 1


_port = st.integers(min_value=1, max_value=65535)
_entry = st.builds(
    lambda host, tcp, udp: {"host": host, "tcp": tcp, "udp": udp or ([] if tcp else [123])},
    st.sampled_from(["17.0.0.0/8", "17.250.0.0/16", "2620:149::/32", "*.apple.com", "a.apple.com", "b.mzstatic.com",
                     "192.0.2.0/24", "*.cdn-apple.com"]),
    st.lists(_port, max_size=3),
    st.lists(_port, max_size=2),
)


@pytest.mark.skipif(not (os.access(NFT, os.X_OK) and shutil.which("unshare")), reason="needs nft and unshare")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extras=st.lists(_entry, min_size=1, max_size=6), hook=st.sampled_from(["output", "forward"]),
       family=st.sampled_from(["inet", "ip", "ip6"]))
def test_any_model_renders_a_ruleset_nft_accepts(extras, hook, family):
    model = build_allowlist([], extra=[dict(entry, id=f"x.{index}") for index, entry in enumerate(extras)])
    text = render(model, hook=hook, family=family)
    result = subprocess.run(["unshare", "-Urn", NFT, "-c", "-f", "-"], input=text, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr + text


TOPOLOGY = os.path.join(os.path.dirname(__file__), "..", "..", "..", "utils", "netns", "nanft-topology.sh")
NETCHECK = os.path.join(os.path.dirname(__file__), "..", "..", "..", "utils", "netns", "nanft-netcheck.py")


@needs_netns
def test_output_hook_enforces_the_hosts_own_egress_with_real_traffic():
    """The client namespace plays the host: its own connections are filtered on the output hook."""
    tag = uuid.uuid4().hex[:4]
    cli, srv = f"nanft-{tag}-cli", f"nanft-{tag}-srv"
    subprocess.run([TOPOLOGY, "up", tag], check=True)
    server = None
    try:
        server = subprocess.Popen(["ip", "netns", "exec", srv, "timeout", "60", "python3", NETCHECK, "serve",
                                   "--tcp", "22,443,8081", "--udp", "123,9999", "--lifetime", "55"],
                                  stdout=subprocess.PIPE, text=True)
        assert server.stdout.readline().strip() == "serving"
        model = build_allowlist([], extra=[{"host": "17.0.0.0/8", "tcp": [443], "udp": [123], "id": "x.apple"}])
        apply(cli, render(model, hook="output", resolvers=["10.77.1.1"], current=live(cli)))
        specs = ["tcp:17.253.1.1:443", "udp:17.253.1.1:123", "tcp:17.253.1.1:8081", "udp:17.253.1.1:9999",
                 "tcp:198.51.100.10:443", "tcp:[2620:149:a::1]:443"]
        probe = subprocess.run(["ip", "netns", "exec", cli, "python3", NETCHECK, "probe", "--timeout", "1", *specs],
                               capture_output=True, text=True, check=True)
        assert json.loads(probe.stdout) == {
            "tcp:17.253.1.1:443": "open", "udp:17.253.1.1:123": "open",
            "tcp:17.253.1.1:8081": "blocked", "udp:17.253.1.1:9999": "blocked",
            "tcp:198.51.100.10:443": "blocked", "tcp:[2620:149:a::1]:443": "blocked",
        }
        chain = nft(cli, "list", "chain", "inet", "netallow_apple", "allowlist").stdout
        drop_rule = next(line for line in chain.splitlines() if line.strip().startswith("counter packets"))
        assert int(re.search(r"counter packets (\d+) ", drop_rule).group(1)) > 0  # the final rule dropped the rest
    finally:
        if server is not None:
            server.kill()
            server.wait()
        subprocess.run([TOPOLOGY, "down", tag], check=False)

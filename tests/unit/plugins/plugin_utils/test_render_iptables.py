# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the ipset/iptables renderer; as root the files are loaded into a scratch network namespace."""

from __future__ import annotations

import shutil

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.iptables import (
    OUTPUTS,
    IptablesRenderError,
    render,
)
from ansible_collections.netallow.apple.tests.unit.plugins.plugin_utils.narc_netns import NEEDS_ROOT, run, scratch_netns

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
    {"id": "fw.v4b", "section": "fw", "host": "17.57.144.0/22", "tcp": [443], "udp": []},
    {"id": "fw.v6", "section": "fw", "host": "2620:149::/32", "tcp": [443], "udp": []},
    {"id": "ic.many", "section": "ic", "host": "*.apple-cloudkit.com",
     "tcp": [], "udp": [3478, 3479, 3480, 3481, 3482, 3483, 3484, 3485, 3486, 3487, 3488, 3489, 3490, 3491, 3492,
                        3493, 3494, 3495, 3496, 3497, 3498, 3499, 3500, "16384-16387", 16400, 16410, 16420, 16430,
                        16440, 16450, 16460, 16470, 16480, 16490, 16500, 16510]},
]


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


def body(text):
    return [line for line in text.splitlines() if not line.startswith("#")]


def test_outputs_are_the_three_artifacts():
    assert sorted(options["artifact"] for options in OUTPUTS.values()) == ["ipset", "rules4", "rules6"]


def test_ipset_file(model):
    lines = body(render(model))
    assert lines[:4] == [
        "create apple_tcp_443_net4 hash:net family inet",
        "flush apple_tcp_443_net4",
        "add apple_tcp_443_net4 17.0.0.0/8",
        "create apple_tcp_443_dns4 hash:ip family inet timeout 3600",
    ]
    assert "create apple_tcp_443_net6 hash:net family inet6" in lines
    assert "add apple_tcp_443_net6 2620:149::/32" in lines
    assert "create apple_tcp_443_5223_dns6 hash:ip family inet6 timeout 3600" in lines
    assert not any("17.57.144.0" in line for line in lines)  # merged into 17.0.0.0/8
    assert "create apple_udp_123_dns4 hash:ip family inet timeout 60" in body(render(model, timeout=60))


def test_rules4_file(model):
    lines = body(render(model, artifact="rules4"))
    assert lines[:4] == [
        "*filter",
        ":NETALLOW_APPLE - [0:0]",
        "-I OUTPUT 1 -j NETALLOW_APPLE",
        "-A NETALLOW_APPLE -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ]
    assert ('-A NETALLOW_APPLE -p tcp -m set --match-set apple_tcp_443_net4 dst -m multiport --dports 443'
            ' -m comment --comment "netallow.apple tcp_443" -j ACCEPT') in lines
    assert ('-A NETALLOW_APPLE -p tcp -m set --match-set apple_tcp_443_5223_dns4 dst -m multiport --dports 443,5223'
            ' -m comment --comment "netallow.apple tcp_443_5223" -j ACCEPT') in lines
    assert lines[-2:] == ["-A NETALLOW_APPLE -j RETURN", "COMMIT"]
    assert not any("_net6" in line or "_dns6" in line for line in lines)


def test_multiport_is_split_at_15_slots(model):
    rules = [line for line in body(render(model, artifact="rules6")) if "udp_3478" in line]
    port_lists = [line.split("--dports ")[1].split(" ")[0].split(",") for line in rules]
    assert len(port_lists) == 2  # one set (the wildcard's d6) × two chunks
    for ports in port_lists:
        assert sum(2 if ":" in port else 1 for port in ports) <= 15
    assert "3478:3500" in port_lists[0]


def test_chain_hook_final_options(model):
    lines = body(render(model, artifact="rules6", chain="APPLE_OUT", hook="FORWARD", final="reject",
                        established=False, set_prefix="x_"))
    assert ":APPLE_OUT - [0:0]" in lines
    assert "-I FORWARD 1 -j APPLE_OUT" in lines
    assert "-A APPLE_OUT -j REJECT" in lines
    assert not any("conntrack" in line for line in lines)
    assert any("--match-set x_tcp_443_net6 dst" in line for line in lines)
    assert not any(line.startswith("-I ") for line in body(render(model, artifact="rules4", hook="none")))
    assert "-A NETALLOW_APPLE -j DROP" in body(render(model, artifact="rules4", final="drop"))


@pytest.mark.parametrize(
    ("options", "error", "fragment"),
    [
        ({"artifact": "nft"}, IptablesRenderError,
         "option artifact 'nft': not a valid choice; valid choices: ipset, rules4, rules6"),
        ({"hook": "INPUT"}, IptablesRenderError,
         "option hook 'INPUT': not a valid choice; valid choices: OUTPUT, FORWARD, none"),
        ({"chain": "A B"}, IptablesRenderError, "option chain 'A B'"),
        ({"chain": "X\n-A OUTPUT -j ACCEPT"}, IptablesRenderError, "option chain 'X\\n-A OUTPUT -j ACCEPT'"),
        ({"set_prefix": "a b"}, IptablesRenderError, "option set_prefix 'a b'"),
        ({"timeout": 0}, IptablesRenderError, "option timeout 0"),
        ({"timeout": "1h"}, IptablesRenderError, "option timeout '1h': not an integer"),
        ({"policy": "drop"}, IptablesRenderError,
         "render(iptables): option(s) policy: unknown; valid options: artifact"),
    ],
)
def test_bad_options(model, options, error, fragment):
    with pytest.raises(error) as info:
        render(model, **options)
    assert fragment in str(info.value)


@NEEDS_ROOT
@pytest.mark.skipif(not shutil.which("ipset") or not shutil.which("iptables-restore"), reason="needs ipset, iptables")
def test_files_load_into_a_scratch_namespace(model):
    with scratch_netns() as netns:
        def exec_(*args, stdin=None, check=True):
            return run(["ip", "netns", "exec", netns, *args], stdin=stdin, check=check)

        rules4, rules6 = render(model, artifact="rules4"), render(model, artifact="rules6")
        # Without the sets the rules are refused: the checks below can fail.
        assert exec_("iptables-restore", "--test", stdin=rules4, check=False).returncode != 0
        exec_("ipset", "-exist", "restore", stdin=render(model))
        exec_("ipset", "-exist", "restore", stdin=render(model))  # a reload keeps working
        exec_("iptables-restore", "--test", stdin=rules4)
        exec_("ip6tables-restore", "--test", stdin=rules6)
        exec_("iptables-restore", "--noflush", stdin=rules4)
        exec_("ip6tables-restore", "--noflush", stdin=rules6)
        # A reload without the hook refills the chain and leaves one jump.
        exec_("iptables-restore", "--noflush", stdin=render(model, artifact="rules4", hook="none"))
        listing = exec_("iptables", "-S").stdout.splitlines()
        assert listing.count("-A OUTPUT -j NETALLOW_APPLE") == 1
        assert sum(line.startswith("-A NETALLOW_APPLE ") for line in listing) == len(body(rules4)) - 4
        assert exec_("ipset", "test", "apple_tcp_443_net4", "17.57.144.9", check=False).returncode == 0
        assert exec_("ipset", "test", "apple_tcp_443_net4", "18.0.0.1", check=False).returncode != 0
        assert exec_("ipset", "test", "apple_tcp_443_net6", "2620:149::1", check=False).returncode == 0
        assert "timeout 3600" in exec_("ipset", "list", "-t", "apple_tcp_443_dns4").stdout

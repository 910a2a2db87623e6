# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the dnsmasq renderer, checked by the real dnsmasq and, as root, by a dnsmasq filling real sets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.dnsmasq import (
    FORMAT_DOC,
    DnsmasqRenderError,
    name_groups,
    render,
    set_name,
)
from ansible_collections.netallow.apple.plugins.plugin_utils.render.iptables import render as render_iptables
from ansible_collections.netallow.apple.tests.unit.plugins.plugin_utils.narc_netns import (
    NEEDS_ROOT,
    answer_count,
    free_port,
    resolve_in_netns,
    run,
    scratch_netns,
)

DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
HAVE_DNSMASQ = os.access(DNSMASQ, os.X_OK)

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "dm.courier", "section": "dm", "host": "1-courier.push.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443], "udp": []},
]


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


def test_format_doc_names_the_format():
    assert FORMAT_DOC.startswith("C(dnsmasq)")


def test_a_name_gets_the_sets_of_every_group_that_allows_it(model):
    # 1-courier is an fqdn of tcp_443 and covered by the tcp_443_5223 wildcard: dnsmasq only applies the most
    # specific line, so that line must carry both groups' sets.
    assert name_groups(model) == {
        "1-courier.push.apple.com": ["tcp_443", "tcp_443_5223"],
        "albert.apple.com": ["tcp_443"],
        "push.apple.com": ["tcp_443_5223"],
        "time.apple.com": ["udp_123"],
    }


def test_nftset_lines(model):
    lines = render(model).splitlines()
    assert lines[0].startswith("# netallow.apple")
    assert lines[1:] == [
        "nftset=/1-courier.push.apple.com/4#inet#netallow_apple#apple_tcp_443_d4,6#inet#netallow_apple#apple_tcp_443_d6,"
        "4#inet#netallow_apple#apple_tcp_443_5223_d4,6#inet#netallow_apple#apple_tcp_443_5223_d6",
        "nftset=/albert.apple.com/4#inet#netallow_apple#apple_tcp_443_d4,6#inet#netallow_apple#apple_tcp_443_d6",
        "nftset=/push.apple.com/4#inet#netallow_apple#apple_tcp_443_5223_d4,6#inet#netallow_apple#apple_tcp_443_5223_d6",
        "nftset=/time.apple.com/4#inet#netallow_apple#apple_udp_123_d4,6#inet#netallow_apple#apple_udp_123_d6",
    ]


def test_names_sharing_sets_share_a_line_and_ip_tables_get_one_family():
    model = build_allowlist([
        {"id": "a", "section": "s", "host": "a.apple.com", "tcp": [443], "udp": []},
        {"id": "b", "section": "s", "host": "b.apple.com", "tcp": [443], "udp": []},
    ])
    assert render(model, family="ip", table="filter", set_prefix="", header=False) == (
        "nftset=/a.apple.com/b.apple.com/4#ip#filter#tcp_443_d4\n"
    )
    assert render(model, family="ip6", header=False) == (
        "nftset=/a.apple.com/b.apple.com/6#ip6#netallow_apple#apple_tcp_443_d6\n"
    )


def test_long_name_lists_are_split_under_the_line_limit():
    entries = [{"id": f"s.{i}", "section": "s", "host": f"host{i:03d}.apple.com", "tcp": [443], "udp": []}
               for i in range(200)]
    lines = render(build_allowlist(entries), header=False).splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 1000 for line in lines)
    listed = [name for line in lines for name in line.split("/")[1:-1]]
    assert listed == [f"host{i:03d}.apple.com" for i in range(200)]


def test_ipset_lines(model):
    assert render(model, mode="ipset", header=False).splitlines()[1] == (
        "ipset=/albert.apple.com/apple_tcp_443_d4,apple_tcp_443_d6"
    )


def test_set_names_fit_the_ipset_limit():
    long_group = "tcp_" + "_".join(str(port) for port in range(1000, 1020))
    name = set_name("apple_", long_group, "d4")
    assert len(name) <= 31
    assert name == set_name("apple_", long_group, "d4")
    assert name != set_name("apple_", long_group, "d6")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"mode": "hosts"}, "mode='hosts'; valid values: nftset, ipset"),
        ({"family": "bridge"}, "family='bridge'"),
        ({"table": "x;flush ruleset"}, "table='x;flush ruleset'"),
        ({"table": "t#inet"}, "table='t#inet'"),
        ({"set_prefix": "a,b"}, "set_prefix='a,b'"),
        ({"sets": "x"}, "unknown dnsmasq renderer option(s) sets"),
    ],
)
def test_bad_options(model, options, fragment):
    with pytest.raises(DnsmasqRenderError) as info:
        render(model, **options)
    assert fragment in str(info.value)


@pytest.mark.skipif(not HAVE_DNSMASQ, reason="dnsmasq is not installed")
@pytest.mark.parametrize("mode", ["nftset", "ipset"])
def test_real_dnsmasq_accepts_the_file(model, mode, tmp_path):
    conf = tmp_path / "apple.conf"
    conf.write_text(render(model, mode=mode))
    result = subprocess.run([DNSMASQ, "--test", f"--conf-file={conf}"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax check OK" in result.stderr
    # The same check does fail on a broken line: the test above can fail.
    conf.write_text(f"{mode}=/albert.apple.com/\n")
    assert subprocess.run([DNSMASQ, "--test", f"--conf-file={conf}"], capture_output=True, check=False).returncode


ANSWERS = {"1-courier.push.apple.com": "17.1.2.3", "albert.apple.com": "17.9.9.9", "xpush.apple.com": "17.7.7.7",
           "time.apple.com": "17.2.2.2"}


def _spawn(netns, args, log):
    return subprocess.Popen(["ip", "netns", "exec", netns, DNSMASQ, "--keep-in-foreground", "--no-resolv",
                             "--no-hosts", "--bind-interfaces", "--pid-file", "--user=root", "--log-queries",
                             "--log-facility=-", *args], stdout=log, stderr=subprocess.STDOUT)


def _start_dnsmasq(netns, conf, port, tmp_path):
    """The dnsmasq under test on 127.0.0.1 with the rendered file, forwarding to an upstream dnsmasq on 127.0.0.2.

    dnsmasq fills sets from forwarded answers only (not from its own --address answers), as in production, where
    it forwards to the site's resolvers: the upstream plays that resolver, answering from --address lines.
    """
    log = open(tmp_path / "dnsmasq.log", "w")  # noqa: SIM115 - closed by the caller's finally
    upstream = _spawn(netns, ["--listen-address=127.0.0.2", f"--port={port}", "--conf-file=/dev/null"]
                      + [f"--address=/{name}/{address}" for name, address in ANSWERS.items()], log)
    proc = _spawn(netns, [f"--conf-file={conf}", "--listen-address=127.0.0.1", f"--port={port}",
                          f"--server=127.0.0.2#{port}"], log)
    procs = [upstream, proc]
    for _attempt in range(50):
        if run(["ip", "netns", "exec", netns, "ss", "-Hlun"], check=False).stdout.count(f":{port} ") >= 2:
            return procs, log
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.1)
    _stop(procs, log)
    raise AssertionError((tmp_path / "dnsmasq.log").read_text())


def _stop(procs, log):
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@NEEDS_ROOT
@pytest.mark.skipif(not HAVE_DNSMASQ or not shutil.which("nft"), reason="needs dnsmasq and nft")
def test_dnsmasq_fills_nftables_sets(model, tmp_path):
    conf = tmp_path / "apple.conf"
    conf.write_text(render(model))
    groups = sorted({group for groups in name_groups(model).values() for group in groups})
    ruleset = ["table inet netallow_apple {"]
    for group in groups:
        ruleset.append(f"  set {set_name('apple_', group, 'd4')} {{ type ipv4_addr; }}")
        ruleset.append(f"  set {set_name('apple_', group, 'd6')} {{ type ipv6_addr; }}")
    ruleset.append("}")
    with scratch_netns() as netns:
        run(["ip", "netns", "exec", netns, "nft", "-f", "-"], stdin="\n".join(ruleset) + "\n")
        port = free_port()
        procs, log = _start_dnsmasq(netns, conf, port, tmp_path)
        try:
            for name in ("1-courier.push.apple.com", "albert.apple.com", "xpush.apple.com", "time.apple.com"):
                assert answer_count(resolve_in_netns(netns, "127.0.0.1", port, name)) == 1, name

            def members(group):
                out = run(["ip", "netns", "exec", netns, "nft", "-j", "list", "set", "inet", "netallow_apple",
                           set_name("apple_", group, "d4")]).stdout
                found = [item["set"] for item in json.loads(out)["nftables"] if "set" in item]
                return sorted(found[0].get("elem", []))

            assert members("tcp_443") == ["17.1.2.3", "17.9.9.9"]
            assert members("tcp_443_5223") == ["17.1.2.3"]
            assert members("udp_123") == ["17.2.2.2"]
            # xpush.apple.com is no Apple name of the list: its address is in no set.
            listing = run(["ip", "netns", "exec", netns, "nft", "list", "table", "inet", "netallow_apple"]).stdout
            assert "17.7.7.7" not in listing
        finally:
            _stop(procs, log)


@NEEDS_ROOT
@pytest.mark.skipif(not HAVE_DNSMASQ or not shutil.which("ipset"), reason="needs dnsmasq and ipset")
def test_dnsmasq_fills_the_iptables_formats_ipsets(model, tmp_path):
    conf = tmp_path / "apple.conf"
    conf.write_text(render(model, mode="ipset"))
    with scratch_netns() as netns:
        run(["ip", "netns", "exec", netns, "ipset", "-exist", "restore"], stdin=render_iptables(model))
        port = free_port()
        procs, log = _start_dnsmasq(netns, conf, port, tmp_path)
        try:
            for name in ("1-courier.push.apple.com", "xpush.apple.com"):
                resolve_in_netns(netns, "127.0.0.1", port, name)

            def member(group, address):
                return run(["ip", "netns", "exec", netns, "ipset", "test", set_name("apple_", group, "d4"), address],
                           check=False).returncode == 0

            assert member("tcp_443", "17.1.2.3")
            assert member("tcp_443_5223", "17.1.2.3")
            assert not member("tcp_443", "17.7.7.7")
            assert not member("tcp_443_5223", "17.7.7.7")
        finally:
            _stop(procs, log)

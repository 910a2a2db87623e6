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
from ansible_collections.netallow.apple.plugins.plugin_utils.render._naming import set_name
from ansible_collections.netallow.apple.plugins.plugin_utils.render.dnsmasq import (
    DnsmasqRenderError,
    name_groups,
    render,
)
from ansible_collections.netallow.apple.plugins.plugin_utils.render.firewalld import render as render_firewalld
from ansible_collections.netallow.apple.plugins.plugin_utils.render.iptables import render as render_iptables
from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import render as render_nftables
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
    # The sets of render('nftables') in its own table: <group>_dns4 and <group>_dns6.
    lines = render(model).splitlines()
    assert lines[0].startswith("# netallow.apple")
    assert lines[1:] == [
        "nftset=/1-courier.push.apple.com/4#inet#netallow_apple#tcp_443_5223_dns4,4#inet#netallow_apple#tcp_443_dns4,"
        "6#inet#netallow_apple#tcp_443_5223_dns6,6#inet#netallow_apple#tcp_443_dns6",
        "nftset=/albert.apple.com/4#inet#netallow_apple#tcp_443_dns4,6#inet#netallow_apple#tcp_443_dns6",
        "nftset=/push.apple.com/4#inet#netallow_apple#tcp_443_5223_dns4,6#inet#netallow_apple#tcp_443_5223_dns6",
        "nftset=/time.apple.com/4#inet#netallow_apple#udp_123_dns4,6#inet#netallow_apple#udp_123_dns6",
    ]


def test_nftset_lines_are_the_nftables_formats_own():
    """render('dnsmasq') and render('nftables', artifact='dnsmasq') write the same lines, in both modes."""
    model = build_allowlist(ENTRIES)
    assert render(model, header=False) == render_nftables(model, artifact="dnsmasq", header=False)
    assert render(model, table="filter", set_prefix="netallow_apple_", header=False) == render_nftables(
        model, mode="allow", table="filter", chain="forward", artifact="dnsmasq", header=False)


def test_names_sharing_sets_share_a_line_and_ip_tables_get_one_family():
    model = build_allowlist([
        {"id": "a", "section": "s", "host": "a.apple.com", "tcp": [443], "udp": []},
        {"id": "b", "section": "s", "host": "b.apple.com", "tcp": [443], "udp": []},
    ])
    assert render(model, family="ip", table="filter", set_prefix="x_", header=False) == (
        "nftset=/a.apple.com/b.apple.com/4#ip#filter#x_tcp_443_dns4\n"
    )
    assert render(model, family="ip6", header=False) == (
        "nftset=/a.apple.com/b.apple.com/6#ip6#netallow_apple#tcp_443_dns6\n"
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
        "ipset=/albert.apple.com/apple_tcp_443_dns4,apple_tcp_443_dns6"
    )


def test_set_names_fit_the_ipset_limit():
    long_group = "tcp_" + "_".join(str(port) for port in range(1000, 1020))
    name = set_name("apple_", long_group, "dns", "4")
    assert len(name) <= 31
    assert name.startswith("apple_tcp_1000_")
    assert name == set_name("apple_", long_group, "dns", "4")
    assert name != set_name("apple_", long_group, "dns", "6")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"mode": "hosts"}, "option mode 'hosts': not a valid choice; valid choices: nftset, ipset"),
        ({"family": "bridge"}, "option family 'bridge'"),
        ({"table": "x;flush ruleset"}, "option table 'x;flush ruleset'"),
        ({"table": "t#inet"}, "option table 't#inet'"),
        ({"set_prefix": "a,b"}, "option set_prefix 'a,b'"),
        ({"sets": "x"}, "netallow.apple.render(dnsmasq): option(s) sets: unknown; valid options: mode, table"),
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
@pytest.mark.parametrize("mode", ["enforce", "allow"])
def test_dnsmasq_fills_the_nftables_formats_sets(model, mode, tmp_path):
    """The sets come from render('nftables') itself, the lines from render('dnsmasq'): the two formats fit."""
    conf = tmp_path / "apple.conf"
    with scratch_netns() as netns:
        if mode == "enforce":
            table, options, prefix = "netallow_apple", {}, ""
            # Monitor mode: the scratch namespace's loopback DNS is never at risk.
            ruleset = render_nftables(model, artifact="persist", drop_other=False)
        else:
            table, options, prefix = "filter", {"table": "filter", "set_prefix": "netallow_apple_"}, "netallow_apple_"
            run(["ip", "netns", "exec", netns, "nft", "-f", "-"],
                stdin="table inet filter {\n chain forward {\n  type filter hook forward priority 0; policy drop;\n"
                      " }\n}\n")
            current = run(["ip", "netns", "exec", netns, "nft", "-j", "list", "table", "inet", "filter"]).stdout
            ruleset = render_nftables(model, mode="allow", table="filter", chain="forward", current=current)
        conf.write_text(render(model, **options))
        run(["ip", "netns", "exec", netns, "nft", "-f", "-"], stdin=ruleset)
        port = free_port()
        procs, log = _start_dnsmasq(netns, conf, port, tmp_path)
        try:
            for name in ("1-courier.push.apple.com", "albert.apple.com", "xpush.apple.com", "time.apple.com"):
                assert answer_count(resolve_in_netns(netns, "127.0.0.1", port, name)) == 1, name

            def members(group):
                out = run(["ip", "netns", "exec", netns, "nft", "-j", "list", "set", "inet", table,
                           set_name(prefix, group, "dns", "4", 255)]).stdout
                found = [item["set"] for item in json.loads(out)["nftables"] if "set" in item]
                return sorted(element["elem"]["val"] if isinstance(element, dict) else element
                              for element in found[0].get("elem", []))

            assert members("tcp_443") == ["17.1.2.3", "17.9.9.9"]
            assert members("tcp_443_5223") == ["17.1.2.3"]
            assert members("udp_123") == ["17.2.2.2"]
            # xpush.apple.com is no Apple name of the list: its address is in no set.
            listing = run(["ip", "netns", "exec", netns, "nft", "list", "table", "inet", table]).stdout
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
                return run(["ip", "netns", "exec", netns, "ipset", "test", set_name("apple_", group, "dns", "4"),
                            address], check=False).returncode == 0

            assert member("tcp_443", "17.1.2.3")
            assert member("tcp_443_5223", "17.1.2.3")
            assert not member("tcp_443", "17.7.7.7")
            assert not member("tcp_443_5223", "17.7.7.7")
        finally:
            _stop(procs, log)


def _firewalld_dnsmasq_targets(model, backend):
    lines = render_firewalld(model, artifact="dnsmasq", backend=backend).splitlines()
    return {target.rsplit("#", 1)[-1] for line in lines if not line.startswith("#")
            for target in line.rsplit("/", 1)[1].split(",")}


def test_firewalld_dnsmasq_lines_name_exactly_the_dynamic_ipsets_it_writes(model):
    files = json.loads(render_firewalld(model))
    dynamic = {path[len("ipsets/"):-len(".xml")] for path, xml in files.items()
               if path.startswith("ipsets/") and 'type="hash:ip"' in xml}
    assert dynamic == {set_name("netallow_apple_", group, "dns", family)
                       for group in ("tcp_443", "tcp_443_5223", "udp_123") for family in ("4", "6")}
    assert _firewalld_dnsmasq_targets(model, "nftables") == dynamic
    assert _firewalld_dnsmasq_targets(model, "iptables") == dynamic


@pytest.mark.skipif(not shutil.which("firewall-offline-cmd"), reason="needs firewall-offline-cmd")
def test_firewalld_accepts_the_ipsets_the_dnsmasq_lines_fill(model, tmp_path):
    """firewalld itself reads the rendered ipsets and policy, and knows every ipset the dnsmasq lines name."""
    for path, content in json.loads(render_firewalld(model)).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    check = subprocess.run(["firewall-offline-cmd", "--system-config", str(tmp_path), "--check-config"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = subprocess.run(["firewall-offline-cmd", "--system-config", str(tmp_path), "--get-ipsets"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert _firewalld_dnsmasq_targets(model, "nftables") <= set(listed)


@NEEDS_ROOT
@pytest.mark.skipif(not HAVE_DNSMASQ or not shutil.which("ipset"), reason="needs dnsmasq and ipset")
def test_dnsmasq_fills_the_firewalld_formats_ipsets(model, tmp_path):
    """firewalld's iptables backend keeps its ipsets as kernel ipsets: create them as its XML says, let dnsmasq fill."""
    conf = tmp_path / "apple.conf"
    conf.write_text(render_firewalld(model, artifact="dnsmasq", backend="iptables"))
    files = json.loads(render_firewalld(model))
    with scratch_netns() as netns:
        for path, xml in files.items():
            if path.startswith("ipsets/") and 'type="hash:ip"' in xml:
                family = "inet6" if 'value="inet6"' in xml else "inet"
                run(["ip", "netns", "exec", netns, "ipset", "create", path[len("ipsets/"):-len(".xml")], "hash:ip",
                     "family", family, "timeout", "3600"])
        port = free_port()
        procs, log = _start_dnsmasq(netns, conf, port, tmp_path)
        try:
            for name in ("1-courier.push.apple.com", "xpush.apple.com"):
                resolve_in_netns(netns, "127.0.0.1", port, name)

            def member(group, address):
                return run(["ip", "netns", "exec", netns, "ipset", "test",
                            set_name("netallow_apple_", group, "dns", "4"), address], check=False).returncode == 0

            assert member("tcp_443", "17.1.2.3")
            assert member("tcp_443_5223", "17.1.2.3")
            assert not member("tcp_443", "17.7.7.7")
        finally:
            _stop(procs, log)

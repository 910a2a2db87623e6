# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read back what each renderer recorded: squid, PAC, nftables, dnsmasq and firewalld files, through the module."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

import pytest

from ansible_collections.netallow.apple.plugins.module_utils._stamp import stamp_lines
from ansible_collections.netallow.apple.plugins.modules import deployed
from ansible_collections.netallow.apple.plugins.modules.deployed import read_back
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render import firewalld as _render_firewalld
from ansible_collections.netallow.apple.plugins.plugin_utils.render import nftables as _render_nftables
from ansible_collections.netallow.apple.plugins.plugin_utils.render import pac as _render_pac
from ansible_collections.netallow.apple.plugins.plugin_utils.render import squid as _render_squid
from ansible_collections.netallow.apple.tests.unit.real_components import live_table, needs_netns, nft

OLD = [
    {"id": "ds.albert", "section": "ds", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "dm.push", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
]
NEEDS_NFT_NETNS = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("nft") or not shutil.which("ip"),
    reason="needs root, nftables and iproute2 for a scratch network namespace")
NEW = OLD[1:] + [{"id": "dm.gdmf", "section": "dm", "host": "gdmf.apple.com", "tcp": [443], "udp": []}]


def _outputs(model):
    firewalld = json.loads(_render_firewalld.render(model))
    policy = next(text for path, text in firewalld.items() if path.startswith("policies/"))
    return {
        "squid.conf": _render_squid.render(model),
        "proxy.pac": _render_pac.render(model),
        "netallow-apple.nft": _render_nftables.render(model, artifact="persist"),
        "dnsmasq.conf": _render_nftables.render(model, artifact="dnsmasq"),
        "firewalld-dnsmasq.conf": _render_firewalld.render(model, artifact="dnsmasq"),
        "policy.xml": policy,
    }


@pytest.fixture(name="written")
def fixture_written(tmp_path):
    paths = {}
    for name, text in _outputs(build_allowlist(OLD, catalog_version="2026.3.0")).items():
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_every_renderer_records_version_digest_and_names(written):
    current = build_allowlist(NEW, catalog_version="2026.3.1")["stamp"]
    for name, path in written.items():
        result = read_back(str(path), current)
        assert result["exists"] and result["found"], name
        assert (result["catalog_version"], result["current_version"]) == ("2026.3.0", "2026.3.1"), name
        assert result["in_sync"] is False
        if name != "policy.xml":  # the policy's description carries version and digest only
            assert (result["added"], result["removed"]) == (["gdmf.apple.com"], ["albert.apple.com"]), name


def test_unchanged_selection_is_in_sync(written):
    current = build_allowlist(OLD, catalog_version="2026.3.0")["stamp"]
    assert all(read_back(str(path), current)["in_sync"] for path in written.values())


def test_missing_file_and_foreign_file(tmp_path):
    foreign = tmp_path / "other.conf"
    foreign.write_text("acl localnet src 10.0.0.0/8\n", encoding="utf-8")
    current = build_allowlist(OLD)["stamp"]
    assert read_back(str(tmp_path / "nope"), current)["exists"] is False
    result = read_back(str(foreign), current)
    assert (result["exists"], result["found"], result["in_sync"]) == (True, False, None)


def _run_module(tmp_path, **args):
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}), encoding="utf-8")
    collections_root = deployed.__file__.rsplit(os.sep + "ansible_collections" + os.sep, 1)[0]
    env = dict(os.environ, PYTHONPATH=collections_root)
    run = subprocess.run([sys.executable, deployed.__file__, str(args_file)], capture_output=True, text=True,
                         timeout=60, env=env, check=False)
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout)


def test_module_end_to_end(tmp_path, written):
    current = build_allowlist(NEW, catalog_version="2026.3.1")["stamp"]
    result = _run_module(tmp_path, paths=[str(written["squid.conf"])], current=current)
    assert result["changed"] is False and result["in_sync"] is False
    assert result["files"][0]["added"] == ["gdmf.apple.com"]
    bad = _run_module(tmp_path, paths=[str(written["squid.conf"])], current={"names": []})
    assert "current: missing catalog_version, digest" in bad["msg"]


def test_table_specs_and_bad_input():
    assert deployed.parse_table("inet netallow_apple") == ("inet", "netallow_apple")
    assert deployed.parse_table("netallow_apple") == ("inet", "netallow_apple")
    for bad in ("inett netallow_apple", "inet", "inet a b", "inet 1bad", ""):
        with pytest.raises(ValueError, match="families: inet, ip, ip6, arp, bridge, netdev"):
            deployed.parse_table(bad)


def test_table_comment_read_from_nft_listing():
    stamp = build_allowlist(OLD, catalog_version="2026.3.0")["stamp"]
    line = stamp_lines(stamp)[0]
    # A chain's and a rule's comments come first here and are deeper: only the table's own comment counts.
    listing = (f'table inet t {{\n\tchain c {{\n\t\tcomment "not the table"\n\t\taccept comment "rule"\n\t}}\n'
               f'\tcomment "{line}"\n}}\n')
    assert deployed.table_comment(listing) == line
    assert deployed.table_comment('table inet t {\n\tchain c {\n\t\tcomment "x"\n\t}\n}\n') is None
    result = deployed.read_table(lambda argv: (0, listing, ""), "inet", "t", stamp)
    assert (result["table"], result["exists"], result["found"], result["in_sync"]) == ("inet t", True, True, True)
    assert result["stamp_source"] == "table"
    assert result["names_found"] is False and (result["added"], result["removed"]) == ([], [])
    missing = deployed.read_table(lambda argv: (1, "", "Error: No such file or directory"), "inet", "t", stamp)
    assert (missing["exists"], missing["found"], missing["in_sync"], missing["stamp_source"]) == \
        (False, False, None, None)
    with pytest.raises(RuntimeError, match="nft list table inet t failed .rc 2.: Error: permission denied"):
        deployed.read_table(lambda argv: (2, "", "Error: permission denied"), "inet", "t", stamp)


def test_rule_stamp_comes_before_the_table_comment():
    old = build_allowlist(OLD, catalog_version="2026.3.0")["stamp"]
    new = build_allowlist(NEW, catalog_version="2026.3.1")["stamp"]
    # The table keeps the comment of its creation; the collection's first rule carries the stamp of the last change.
    listing = (f'table inet netallow_apple {{\n\tcomment "{stamp_lines(old)[0]}"\n\tchain allowlist {{\n'
               f'\t\tct state established,related accept comment "netallow_apple: {stamp_lines(new)[0]}"\n'
               f'\t\tcounter drop comment "netallow_apple"\n\t}}\n}}\n')
    stamp, source = deployed.live_stamp(listing)
    assert (stamp["catalog_version"], stamp["digest"], source) == ("2026.3.1", new["digest"], "rule")
    # A comment that only looks like the collection's, in a rule of someone else's, is not read as a stamp.
    foreign = 'table inet filter {\n\tchain forward {\n\t\taccept comment "netallow_apple: hello"\n\t}\n}\n'
    assert deployed.live_stamp(foreign) == (None, None)
    assert deployed.read_table(lambda argv: (0, foreign, ""), "inet", "filter", new)["found"] is False


def _apply(netns_name, text):
    nft(netns_name, "-c", "-f", "-", stdin=text)
    nft(netns_name, "-f", "-", stdin=text)


@needs_netns
@pytest.mark.parametrize(("mode", "table"), [("enforce", "netallow_apple"), ("allow", "filter")])
def test_live_rule_stamp_follows_each_apply(tmp_path, netns, mode, table):
    """Rendered transactions applied by the real nft, read back by the module; a new catalog_version is read back."""
    options = {"mode": mode} if mode == "enforce" else {"mode": mode, "table": "filter", "chain": "forward"}
    if mode == "allow":
        nft(netns, "-f", "-", stdin="table inet filter {\n chain forward {\n  type filter hook forward priority "
                                    "filter; policy drop;\n }\n}\n")
    first = build_allowlist(OLD, catalog_version="2026.3.0")
    _apply(netns, _render_nftables.render(first, current=live_table(netns, table), **options))
    result = _run_module(tmp_path, tables=[f"inet {table}"], netns=netns, current=first["stamp"])
    assert (result["tables"][0]["found"], result["tables"][0]["stamp_source"], result["in_sync"]) == \
        (True, "rule", True)

    # Same selection, new catalog version: the rules are rewritten and carry it.
    second = build_allowlist(OLD, catalog_version="2026.3.1")
    assert second["stamp"]["digest"] == first["stamp"]["digest"]
    text = _render_nftables.render(second, current=live_table(netns, table), **options)
    assert text, "a new catalog version must rewrite the rules"
    _apply(netns, text)
    assert _render_nftables.render(second, current=live_table(netns, table), **options) == ""
    result = _run_module(tmp_path, tables=[f"inet {table}"], netns=netns, current=second["stamp"])
    live = result["tables"][0]
    assert (live["catalog_version"], live["stamp_source"], live["in_sync"]) == ("2026.3.1", "rule", True)
    listing = nft(netns, "list", "table", "inet", table).stdout
    assert listing.count("netallow_apple: netallow.apple stamp:") == 1
    if mode == "enforce":
        # The kernel kept the table's comment of its creation: only the rule's stamp is current.
        assert deployed.table_comment(listing) == stamp_lines(first["stamp"])[0]
        # The boot-time file recreates the table, with the current stamp in its comment too.
        _apply(netns, _render_nftables.render(second, artifact="persist", **options))
        assert deployed.table_comment(nft(netns, "list", "table", "inet", table).stdout) == \
            stamp_lines(second["stamp"])[0]
    else:
        assert deployed.table_comment(listing) is None


@NEEDS_NFT_NETNS
def test_module_reads_the_live_table_comment_in_a_namespace(tmp_path):
    """A table loaded with the stamp line as its comment, in a scratch namespace, read back by the module."""
    old = build_allowlist(OLD, catalog_version="2026.3.0")["stamp"]
    new = build_allowlist(NEW, catalog_version="2026.3.1")["stamp"]
    name = f"nadep-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=30)
    try:
        ruleset = f'table inet netallow_apple {{\n  comment "{stamp_lines(old)[0]}"\n}}\n'
        subprocess.run(["ip", "netns", "exec", name, "nft", "-f", "-"], input=ruleset, text=True, check=True,
                       timeout=30)
        result = _run_module(tmp_path, tables=["inet netallow_apple", "ip absent_table"], netns=name, current=new)
        live, absent = result["tables"]
        assert (live["exists"], live["found"], live["catalog_version"], live["digest"]) == \
            (True, True, "2026.3.0", old["digest"])
        assert (live["current_version"], live["current_digest"], live["in_sync"]) == ("2026.3.1", new["digest"], False)
        assert (absent["table"], absent["exists"], absent["found"]) == ("ip absent_table", False, False)
        assert result["in_sync"] is False and result["files"] == []
        same = _run_module(tmp_path, tables=["netallow_apple"], netns=name, current=old)
        assert same["in_sync"] is True and same["tables"][0]["in_sync"] is True
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, timeout=30)


def test_module_refuses_bad_tables_and_nothing_to_read(tmp_path):
    bad = _run_module(tmp_path, tables=["inett x"])
    assert bad["failed"] and "tables: 'inett x'" in bad["msg"] and "families: inet" in bad["msg"]
    nothing = _run_module(tmp_path)
    assert nothing["failed"] and "paths" in nothing["msg"] and "tables" in nothing["msg"]

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: applying the whole catalog as the nftables renderer's one transaction, against a naive ruleset.

The naive ruleset is what one writes without sets: one rule per address and port, built from the same catalog
selection. Names have no addresses until they are resolved, so both sides get the same synthetic addresses for every
name (two per name, from the benchmarking range 198.18.0.0/15): the renderer's side adds them to its dynamic sets
in the same transaction, the naive side writes a rule for each address and port.

Measured side by side in one run, in a scratch network namespace (needs root, nft and ip; the host's ruleset is
never touched): rules and set elements, the apply time of one ``nft -f`` transaction for each, and the naive
ruleset applied the way shell scripts often do it, one ``nft add rule`` per rule.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_nftables.py
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
import uuid

from _bench import median_ms, publish

ROUNDS = 5
NETNS = f"nanft-bench-{uuid.uuid4().hex[:6]}"


def _synthetic_addresses(names):
    pool = ipaddress.ip_network("198.18.0.0/15").hosts()
    return {name: [str(next(pool)), str(next(pool))] for name in names}


def _group_names(group):
    return list(group["fqdns"]) + list(group["wildcards"])


def _collection_transaction(model, render, addresses):
    text = render(model, hook="forward", current="")
    additions = []
    for group in model["groups"]:
        names = _group_names(group)
        if names:
            elements = sorted({address for name in names for address in addresses[name]})
            additions.append(f"add element inet netallow_apple {group['name']}_dns4 {{ {', '.join(elements)} }}")
    learnt = sum(len({address for name in _group_names(group) for address in addresses[name]})
                 for group in model["groups"])
    return text + "\n".join(additions) + "\n", learnt


def _naive_rules(model, addresses):
    rules = []
    for group in model["groups"]:
        targets = list(group["cidrs4"]) + [address for name in _group_names(group) for address in addresses[name]]
        for target in targets:
            for port in group["ports"]:
                rules.append(f"ip daddr {target} {group['protocol']} dport {port} accept")
        for target in group["cidrs6"]:
            for port in group["ports"]:
                rules.append(f"ip6 daddr {target} {group['protocol']} dport {port} accept")
    return rules


def _naive_file(rules):
    body = "\n".join(f"\t\t{rule}" for rule in rules)
    return ("table inet naive {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
            "\t\tct state established,related accept\n" + body + "\n\t\tdrop\n\t}\n}\n")


def _nft(*args, stdin=None):
    return subprocess.run(["ip", "netns", "exec", NETNS, "nft", *args], input=stdin, text=True, capture_output=True,
                          check=True)


def _timed_apply(text, table):
    return median_ms(lambda: _nft("-f", "-", stdin=text), ROUNDS, after=lambda: _nft("delete", "table", "inet", table))


def _timed_rule_by_rule(rules):
    _nft("add", "table", "inet", "naive")
    _nft("add", "chain", "inet", "naive", "forward", "{ type filter hook forward priority filter; policy accept; }")
    start = time.perf_counter()
    for rule in rules:
        _nft("add", "rule", "inet", "naive", "forward", *rule.split())
    elapsed = (time.perf_counter() - start) * 1000
    _nft("delete", "table", "inet", "naive")
    return elapsed


def main():
    from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
    from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog, select
    from ansible_collections.netallow.apple.plugins.plugin_utils.render.nftables import render

    if os.geteuid() != 0:
        print("bench_nftables needs root (a scratch network namespace)", file=sys.stderr)
        return 1
    entries = select(load_catalog())
    start = time.perf_counter()
    model = build_allowlist(entries)
    ruleset = render(model, hook="forward", current="")
    render_ms = (time.perf_counter() - start) * 1000
    names = sorted({name for group in model["groups"] for name in _group_names(group)})
    addresses = _synthetic_addresses(names)
    transaction, dynamic_elements = _collection_transaction(model, render, addresses)
    naive = _naive_rules(model, addresses)

    subprocess.run(["ip", "netns", "add", NETNS], check=True)
    try:
        collection_ms = _timed_apply(transaction, "netallow_apple")
        _nft("-f", "-", stdin=transaction)
        listing = _nft("-j", "list", "table", "inet", "netallow_apple").stdout
        _nft("delete", "table", "inet", "netallow_apple")
        naive_ms = _timed_apply(_naive_file(naive), "naive")
        rule_by_rule_ms = _timed_rule_by_rule(naive)
    finally:
        subprocess.run(["ip", "netns", "del", NETNS], check=False)

    import json

    objects = json.loads(listing)["nftables"]
    rules = sum(1 for item in objects if "rule" in item)
    sets = [item["set"] for item in objects if "set" in item]
    static_elements = sum(len(item.get("elem", [])) for item in sets) - dynamic_elements
    text = "\n".join([
        f"Catalog: {len(entries)} current entries, {len(model['groups'])} port groups, {len(names)} names "
        f"(each given 2 synthetic addresses), {len(model['cidrs4']) + len(model['cidrs6'])} CIDRs. "
        f"Median of {ROUNDS} applies in a scratch network namespace; rendering the model and ruleset took "
        f"{render_ms:.1f} ms.",
        "",
        "| ruleset | nft transactions | rules | sets | set elements | apply (ms) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| netallow.apple renderer (enforce, forward) | 1 | {rules} | {len(sets)} | "
        f"{static_elements} static + {dynamic_elements} learnt | {collection_ms:.1f} |",
        f"| naive, one rule per address and port, one file | 1 | {len(naive) + 2} | 0 | 0 | {naive_ms:.1f} |",
        f"| naive, one `nft add rule` per rule | {len(naive) + 2} | {len(naive) + 2} | 0 | 0 | "
        f"{rule_by_rule_ms:.1f} |",
        "",
        f"Ruleset text: {len(ruleset.splitlines())} lines for the renderer against {len(naive) + 6} for the naive "
        "file. Packets in the naive chain are matched rule by rule (linear); the renderer's rules look up sets "
        "(hash or interval tree), one rule per port group and address family.",
    ])
    publish("nftables", text, title="nftables benchmark")
    return 0


if __name__ == "__main__":
    sys.exit(main())

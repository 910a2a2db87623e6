# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the endpoints lookup over the whole catalog, filtered, against the obvious alternative.

The obvious alternative is what a playbook author writes without the collection: read the YAML file
(``include_vars``) and filter it with Jinja-style Python each time. Both run in this process, side by side,
through Ansible's own plugin loader for the lookup.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_lookup.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import yaml
from _bench import publish, samples_ms

ROUNDS = 200

SELECTIONS = [
    {},
    {"section": ["devicemanagement"], "platform": ["macos"]},
    {"section": ["software", "appscontent"], "protocol": ["tcp"], "port": [443]},
    {"kind": ["wildcard"], "output": "hosts"},
    {"output": "ports"},
]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # as fast a parser as include_vars gets


def _naive(path, selection):
    with open(path, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
    entries = [e for e in data["entries"] if e["status"] == "current"]
    if "section" in selection:
        entries = [e for e in entries if e["section"] in selection["section"]]
    if "platform" in selection:
        entries = [e for e in entries if not e["platforms"] or set(selection["platform"]) & set(e["platforms"])]
    if "port" in selection:
        entries = [e for e in entries if set(selection["port"]) & set(e["tcp"])]
    return entries


def _median_ms(func, rounds=ROUNDS):
    samples = samples_ms(func, rounds)
    return statistics.median(samples), max(samples)


def main():
    from ansible.plugins.loader import init_plugin_loader, lookup_loader

    # Outside ansible-playbook the collection loader must be installed by hand, over the copy on PYTHONPATH.
    init_plugin_loader([p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog

    lookup = lookup_loader.get("netallow.apple.endpoints")
    start = time.perf_counter()
    catalog = _catalog.load_catalog()
    first_load_ms = (time.perf_counter() - start) * 1000
    rows = []
    for selection in SELECTIONS:
        ours_median, ours_max = _median_ms(lambda s=selection: lookup.run([], {}, **s))
        naive_median, _naive_max = _median_ms(lambda s=selection: _naive(_catalog.CATALOG_PATH, s), rounds=50)
        label = ", ".join(f"{k}={v}" for k, v in selection.items()) or "(no options: all current entries)"
        rows.append((label, ours_median, ours_max, naive_median))

    lines = [
        f"Catalog: {len(catalog.entries)} entries; first load (read + check + derive): {first_load_ms:.1f} ms.",
        "",
        "| selection | lookup median ms | lookup max ms | re-read YAML + filter median ms | speed-up |",
        "|---|---|---|---|---|",
    ]
    for label, ours_median, ours_max, naive_median in rows:
        lines.append(f"| {label} | {ours_median:.2f} | {ours_max:.2f} | {naive_median:.2f} | "
                     f"{naive_median / ours_median:.0f}x |")
    worst = max(r[1] for r in rows)
    lines += ["", f"Worst median over the selections: {worst:.2f} ms (goal: under 50 ms)."]
    publish("lookup", "\n".join(lines), title="Lookup benchmark")
    return 0


if __name__ == "__main__":
    sys.exit(main())

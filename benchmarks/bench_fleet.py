# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the controller-side cost of a fleet reachability run, for 100, 1,000 and 5,000 hosts.

What the controller does for a fleet, measured phase by phase; the module's results are simulated at the module
boundary (the dicts the module returns, built with its own result constructor), so the figures are the
controller's alone:

1. target selection: the action plugin's selection once per host (the default catalog), as a play does: Ansible
   runs the plugin in a new worker process per host; the first computes the selection and leaves it in the run's
   temporary directory, the others read it back (``select_targets_once``);
2. aggregation: ``normalize_runs``, ``summarize_runs`` and the per-service view over the hostvars-shaped mapping;
3. the three reports through the filters a play calls (JUnit, Markdown, HTML), written to files.

Each size runs in a fresh process so that its peak memory (max RSS) is its own. The simulated fleet fails the way
real ones do: every third host behind TLS inspection on the push and enrollment names, every 25th host without
DNS, every 7th host with an optional target timing out, the rest fine.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_fleet.py [--out DIR] [--sizes 100,1000]
(benchmarks/run.py sets PYTHONPATH). ``--out`` keeps the reports of the largest size (the browser test uses it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from _bench import publish

SIZES = (100, 1000, 5000)
# The default catalog (every section), and what a fleet check of managed Macs and iPads typically selects.
SELECTIONS = {
    "default": {},
    "managed": {"section": ["devicesetup", "devicemanagement", "appleaccount"]},
}
GOAL_SECONDS = 10.0
GOAL_MB = 500


def simulated_results(targets: list, skipped: list, index: int) -> dict:
    """The module's return value for host number ``index``: results built with the module's own constructor."""
    from ansible_collections.netallow.apple.plugins.module_utils.probes.result import new_result

    behind_inspection = index % 3 == 0
    no_dns = index % 25 == 0
    slow_optional = index % 7 == 0
    results = []
    for target in targets:
        result = new_result(target, target["probe"], target["port"], target["protocol"])
        result["stage"] = "tls" if target.get("tls", True) else "tcp"
        result["addresses"] = ["17.253.144.10"]
        result["address_owner"] = "apple"
        result["address"] = "17.253.144.10"
        result["elapsed_ms"] = 40 + index % 60
        probe = str(target["probe"])
        if no_dns:
            result.update(status="dns_failed", stage="dns", addresses=[], address_owner=None, address=None,
                          detail=f"{probe}: Name or service not known")
        elif behind_inspection and ("push" in probe or "mdmenrollment" in probe) and target["port"] == 443:
            result.update(status="intercepted", issuer="CN=InspectCorp Root CA, O=InspectCorp",
                          detail="issued by CN=InspectCorp Root CA, O=InspectCorp, not by an expected issuer")
        elif slow_optional and not target.get("required", True):
            result.update(status="timeout", stage="tcp", detail="no answer within 3 s")
        results.append(result)
    results.extend(dict(item) for item in skipped)
    failed = sum(1 for r in results if r["status"] not in ("ok", "skipped"))
    return {"changed": False, "results": results,
            "summary": {"total": len(results), "failed": failed, "ok": len(results) - failed}}


def measure(hosts: int, out_dir: str | None, selection_name: str = "default") -> dict:
    """One fleet size, in this process: seconds per phase, report sizes, peak memory."""
    from ansible_collections.netallow.apple.plugins.action.reachability import select_targets_once
    from ansible_collections.netallow.apple.plugins.filter.report import FilterModule
    from ansible_collections.netallow.apple.plugins.plugin_utils import _report

    filters = FilterModule().filters()
    names = [f"mac-{index:05d}.example.edu" for index in range(1, hosts + 1)]

    run_dir = tempfile.mkdtemp(prefix="nafleet-run-")  # Ansible's per-run local temporary directory
    started, cpu = time.perf_counter(), time.process_time()
    per_host = {}
    for name in names:
        per_host[name] = select_targets_once(dict(SELECTIONS[selection_name], fail_on="required"), run_dir)
    selection = time.perf_counter() - started
    selection_cpu = time.process_time() - cpu
    for leftover in os.listdir(run_dir):
        os.unlink(os.path.join(run_dir, leftover))
    os.rmdir(run_dir)

    targets, skipped = per_host[names[0]]
    # The module's answer per host, as hostvars hold it after the play (not timed: the module's share).
    fleet = {name: simulated_results(*per_host[name], index) for index, name in enumerate(names, 1)}
    del per_host
    input_rss_mb = _rss_mb()

    started, cpu = time.perf_counter(), time.process_time()
    runs = _report.normalize_runs(fleet)
    summary = _report.summarize_runs(runs)
    view = _report.service_view(runs)
    aggregation = time.perf_counter() - started
    aggregation_cpu = time.process_time() - cpu

    work = out_dir or tempfile.mkdtemp(prefix="nafleet-bench-")
    os.makedirs(work, exist_ok=True)
    sizes = {}
    report_seconds = {}
    report_cpu = {}
    for extension, name in (("xml", "to_junit"), ("md", "to_markdown"), ("html", "to_html")):
        started, cpu = time.perf_counter(), time.process_time()
        text = filters[name](fleet, title=f"Fleet reachability ({hosts} hosts)")
        path = os.path.join(work, f"reachability-{hosts}.{extension}")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        del text
        report_seconds[extension] = time.perf_counter() - started
        report_cpu[extension] = time.process_time() - cpu
        sizes[extension] = os.path.getsize(path)
    if not out_dir:
        for extension in sizes:
            os.unlink(os.path.join(work, f"reachability-{hosts}.{extension}"))
        os.rmdir(work)
    return {
        "hosts": hosts,
        "targets_per_host": len(targets),
        "skipped_per_host": len(skipped),
        "results": summary["totals"]["results"],
        "failed": summary["totals"]["failed"],
        "fleet_groups": len(view["groups"]),
        "selection_s": selection,
        "selection_cpu": selection_cpu,
        "aggregation_s": aggregation,
        "aggregation_cpu": aggregation_cpu,
        "reports_s": report_seconds,
        "reports_cpu": report_cpu,
        "sizes": sizes,
        "input_rss_mb": input_rss_mb,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def _rss_mb() -> float:
    """Resident memory now (the fleet's results in memory, as hostvars hold them on a controller)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def child(hosts: int, out_dir: str | None, selection_name: str) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--one", str(hosts), "--selection", selection_name]
    if out_dir:
        command += ["--out", out_dir]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{hosts} hosts failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout)


def table(rows: list) -> str:
    lines = [
        "| hosts | checks | aggregation | JUnit | Markdown | HTML | **aggregation + 3 reports** | per host | "
        "target selection (per host, as the action plugin runs it) | JUnit / Markdown / HTML size | "
        "memory: results held / peak | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for row in rows:
        cpu = row["aggregation_cpu"] + sum(row["reports_cpu"].values())
        wall = row["aggregation_s"] + sum(row["reports_s"].values())
        row["total_cpu"], row["total_s"] = cpu, wall
        sizes = " / ".join(f"{row['sizes'][e] / 1e6:.1f} MB" for e in ("xml", "md", "html"))
        lines.append(
            f"| {row['hosts']:,} | {row['results']:,} | {row['aggregation_cpu']:.2f} s | "
            f"{row['reports_cpu']['xml']:.2f} s | {row['reports_cpu']['md']:.2f} s | {row['reports_cpu']['html']:.2f} s"
            f" | **{cpu:.2f} s** (wall {wall:.2f} s) | {cpu / row['hosts'] * 1000:.2f} ms | "
            f"{row['selection_cpu']:.2f} s ({row['selection_cpu'] / row['hosts'] * 1000:.2f} ms) | {sizes} | "
            f"{row['input_rss_mb']:.0f} MB / {row['max_rss_mb']:.0f} MB | {row['load']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--out", help="keep the reports of the largest size in this directory")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--selection", choices=sorted(SELECTIONS), action="append",
                        help="which selections to measure (default: all)")
    parser.add_argument("--no-publish", action="store_true", help="print only; leave benchmarks/results alone")
    args = parser.parse_args(argv)
    if args.one:
        json.dump(measure(args.one, args.out, (args.selection or ["default"])[0]), sys.stdout)
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    parts = []
    for selection_name in args.selection or list(SELECTIONS):
        rows = [child(size, args.out if size == max(sizes) and selection_name == "default" else None,
                      selection_name) for size in sizes]
        parts.append(_part(selection_name, rows))
    text = "\n\n".join(parts) + "\n"
    if args.no_publish:
        print(text)
    else:
        publish("fleet", text, title="Fleet reachability: controller-side cost")
    return 0


def _part(selection_name: str, rows: list) -> str:
    selectors = SELECTIONS[selection_name]
    what = ("the default catalog" if not selectors else
            "sections " + ", ".join(selectors["section"]))
    text = f"## Selection: {what}\n\n" + table(rows)
    largest = rows[-1]
    smallest = rows[0]
    growth = (largest["total_cpu"] / largest["hosts"]) / (smallest["total_cpu"] / smallest["hosts"])
    time_met = largest["total_cpu"] < GOAL_SECONDS
    added_mb = largest["max_rss_mb"] - largest["input_rss_mb"]
    memory_verdict = ("met" if largest["max_rss_mb"] < GOAL_MB else
                      "met by the reports, not by the whole process" if added_mb < GOAL_MB else "not met")
    notes = [
        "",
        "Times are CPU seconds of the benchmark process (wall time as well for the total): the machine is shared, "
        "and the load average column says how busy it was.",
        f"Each host probes {largest['targets_per_host']} targets of this selection and reports "
        f"{largest['skipped_per_host']} skipped entries; the simulated fleet has {largest['fleet_groups']} "
        f"distinct failure patterns at {largest['hosts']:,} hosts.",
        f"Cost per host at {largest['hosts']:,} hosts is {growth:.2f}x the cost per host at {smallest['hosts']:,} "
        "(1.0 = linear).",
        f"Goal: {largest['hosts']:,} hosts aggregated and all three reports written in under {GOAL_SECONDS:g} s: "
        f"**{'met' if time_met else 'not met'}** ({largest['total_cpu']:.1f} s CPU). "
        f"Under {GOAL_MB} MB: the reports add {added_mb:.0f} MB to the {largest['input_rss_mb']:.0f} MB that the "
        f"results themselves take in memory (peak {largest['max_rss_mb']:.0f} MB): "
        f"**{memory_verdict}**.",
        f"Machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}.",
    ]
    return text + "\n" + "\n".join(notes)


if __name__ == "__main__":
    sys.exit(main())

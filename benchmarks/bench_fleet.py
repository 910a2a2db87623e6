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
APPLE_ISSUER = "CN=Apple Public Server RSA CA 12 - G1, O=Apple Inc., C=US"
GOAL_SECONDS = 10.0
GOAL_MB = 500


def simulated_results(targets: list, skipped: list, index: int, shape: str = "full",
                      selection: dict | None = None) -> dict:
    """The reachability action's return value for host number ``index``, in the module's ``shape``: results built
    with the module's own constructor and, for ``compact``, shaped by the module's own function, with the
    selection the action plugin adds (its skipped entries are then not repeated per host)."""
    from ansible_collections.netallow.apple.plugins.module_utils.probes.result import (
        compact_results,
        passed_result,
        summarize,
    )

    behind_inspection = index % 3 == 0
    no_dns = index % 25 == 0
    slow_optional = index % 7 == 0
    results = []
    for position, target in enumerate(targets):
        probe = str(target["probe"])
        # What a passing check returns: the stage, the addresses, the issuer and what each stage saw.
        result = passed_result(target, 20 + (index * 31 + position * 17) % 480)
        tls = target["port"] in (443, 993, 5223, 2197)
        result.update(stage="tls" if tls else "tcp", addresses=["17.253.144.10"], address_owner="apple",
                      address="17.253.144.10", issuer=APPLE_ISSUER if tls else None,
                      detail=f"{probe} resolved to 17.253.144.10 (apple); TCP connected to 17.253.144.10"
                      + (f"; TLSv1.3 verified, issuer {APPLE_ISSUER}" if tls else ""))
        if no_dns:
            result.update(status="dns_failed", stage="dns", addresses=[], address_owner=None, address=None,
                          issuer=None, detail=f"{probe}: Name or service not known")
        elif behind_inspection and ("push" in probe or "mdmenrollment" in probe) and target["port"] == 443:
            result.update(status="intercepted", stage="tls", issuer="CN=InspectCorp Root CA, O=InspectCorp",
                          detail="issued by CN=InspectCorp Root CA, O=InspectCorp, not by an expected issuer")
        elif slow_optional and not target.get("required", True):
            result.update(status="timeout", stage="tcp", issuer=None, detail="no answer within 3 s")
        results.append(result)
    if shape == "compact":
        shaped = compact_results(results)
        summary = summarize(shaped["results"] + [dict(item) for item in skipped],
                            passed=len(shaped["passed"]["index"]))
        return dict(shaped, changed=False, summary=summary, selection=selection)
    results.extend(dict(item) for item in skipped)
    return {"changed": False, "results": results, "summary": summarize(results)}


def measure(hosts: int, out_dir: str | None, selection_name: str = "default", path: str = "full") -> dict:
    """One fleet size on one path, in this process: seconds per phase, report sizes, peak memory.

    ``full``: every host returns every check in full, and the filters build each report as one string that is
    then written (today's path, and the default). ``compact``: every host returns the compact shape and the
    reports are written piece by piece as the reachability_report role writes them (netallow.apple.report_files).
    """
    from ansible_collections.netallow.apple.plugins.action.reachability import select_targets_once
    from ansible_collections.netallow.apple.plugins.filter.report import FilterModule
    from ansible_collections.netallow.apple.plugins.plugin_utils import _report, _report_files, _selection

    filters = FilterModule().filters()
    names = [f"mac-{index:05d}.example.edu" for index in range(1, hosts + 1)]
    args = dict(SELECTIONS[selection_name], fail_on="required")

    run_dir = tempfile.mkdtemp(prefix="nafleet-run-")  # Ansible's per-run local temporary directory
    selection = selection_cpu = 0.0
    fleet = {}
    for index, name in enumerate(names, 1):
        # The selection of one host's worker process, timed; then (not timed: the module's share) the answer the
        # controller keeps for that host. Each host's copy is its own, as results decoded per host are.
        started, cpu = time.perf_counter(), time.process_time()
        targets, skipped = select_targets_once(dict(args), run_dir)
        selection += time.perf_counter() - started
        selection_cpu += time.process_time() - cpu
        fleet[name] = simulated_results(targets, skipped, index, path,
                                        _selection.selection_reference(args, targets))
        targets_per_host, skipped_per_host = len(targets), len(skipped)
        del targets, skipped
    for leftover in os.listdir(run_dir):
        os.unlink(os.path.join(run_dir, leftover))
    os.rmdir(run_dir)
    input_rss_mb = _rss_mb()

    started, cpu = time.perf_counter(), time.process_time()
    runs = _report.normalize_runs(fleet)
    summary = _report.summarize_runs(runs)
    view = _report.service_view(runs)
    aggregation = time.perf_counter() - started
    aggregation_cpu = time.process_time() - cpu
    del runs

    work = out_dir or tempfile.mkdtemp(prefix="nafleet-bench-")
    os.makedirs(work, exist_ok=True)
    sizes = {}
    report_seconds = {}
    report_cpu = {}
    title = f"Fleet reachability ({hosts} hosts)"
    for extension, name, report_format in (("xml", "to_junit", "junit"), ("md", "to_markdown", "markdown"),
                                           ("html", "to_html", "html")):
        started, cpu = time.perf_counter(), time.process_time()
        report_path = os.path.join(work, f"reachability-{hosts}.{extension}")
        if path == "full":
            text = filters[name](fleet, title=title)
            with open(report_path, "w", encoding="utf-8") as handle:
                handle.write(text)
            del text
        else:
            _report_files.write_pieces(report_path, _report_files.report_pieces(report_format, fleet, title))
        report_seconds[extension] = time.perf_counter() - started
        report_cpu[extension] = time.process_time() - cpu
        sizes[extension] = os.path.getsize(report_path)
    if not out_dir:
        for extension in sizes:
            os.unlink(os.path.join(work, f"reachability-{hosts}.{extension}"))
        os.rmdir(work)
    return {
        "hosts": hosts,
        "path": path,
        "targets_per_host": targets_per_host,
        "skipped_per_host": skipped_per_host,
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
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,  # KiB, as MB like _rss_mb
        "load": os.getloadavg()[0],
    }


def _rss_mb() -> float:
    """Resident memory now (the fleet's results in memory, as hostvars hold them on a controller)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


PATHS = {
    "full": "full results, reports built as strings by the filters (today's path; the default shape)",
    "compact": "compact results, reports written piece by piece (result_shape=compact and the reachability_report "
               "role)",
}


def child(hosts: int, out_dir: str | None, selection_name: str, path: str) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--one", str(hosts), "--selection", selection_name,
               "--path", path]
    if out_dir:
        command += ["--out", out_dir]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{hosts} hosts ({path}) failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout)


def table(rows: list) -> str:
    lines = [
        "| hosts | path | checks | aggregation | JUnit | Markdown | HTML | **aggregation + 3 reports** | per host | "
        "target selection (per host, as the action plugin runs it) | JUnit / Markdown / HTML size | "
        "memory: results held / **peak** | load average |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for row in rows:
        cpu = row["aggregation_cpu"] + sum(row["reports_cpu"].values())
        wall = row["aggregation_s"] + sum(row["reports_s"].values())
        row["total_cpu"], row["total_s"] = cpu, wall
        sizes = " / ".join(f"{row['sizes'][e] / 1e6:.1f} MB" for e in ("xml", "md", "html"))
        lines.append(
            f"| {row['hosts']:,} | {row['path']} | {row['results']:,} | {row['aggregation_cpu']:.2f} s | "
            f"{row['reports_cpu']['xml']:.2f} s | {row['reports_cpu']['md']:.2f} s | {row['reports_cpu']['html']:.2f} s"
            f" | **{cpu:.2f} s** (wall {wall:.2f} s) | {cpu / row['hosts'] * 1000:.2f} ms | "
            f"{row['selection_cpu']:.2f} s ({row['selection_cpu'] / row['hosts'] * 1000:.2f} ms) | {sizes} | "
            f"{row['input_rss_mb']:.0f} MB / **{row['max_rss_mb']:.0f} MB** | {row['load']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--out", help="keep the reports of the largest size (compact path) in this directory")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--selection", choices=sorted(SELECTIONS), action="append",
                        help="which selections to measure (default: all)")
    parser.add_argument("--path", choices=sorted(PATHS), action="append",
                        help="which paths to measure (default: both)")
    parser.add_argument("--no-publish", action="store_true", help="print only; leave benchmarks/results alone")
    args = parser.parse_args(argv)
    if args.one:
        json.dump(measure(args.one, args.out, (args.selection or ["default"])[0], (args.path or ["full"])[0]),
                  sys.stdout)
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    paths = [name for name in PATHS if name in (args.path or PATHS)]
    parts = []
    for selection_name in args.selection or list(SELECTIONS):
        rows = [child(size, args.out if size == max(sizes) and selection_name == "default" and path == paths[-1]
                      else None, selection_name, path) for size in sizes for path in paths]
        parts.append(_part(selection_name, rows, paths))
    text = "\n\n".join(parts) + "\n"
    if args.no_publish:
        print(text)
    else:
        publish("fleet", text, title="Fleet reachability: controller-side cost")
    return 0


def _verdict(rows: list) -> tuple[str, dict]:
    """The goal's verdict for one path, from its rows (smallest and largest size)."""
    largest, smallest = rows[-1], rows[0]
    growth = (largest["total_cpu"] / largest["hosts"]) / (smallest["total_cpu"] / smallest["hosts"])
    time_met = largest["total_cpu"] < GOAL_SECONDS
    memory_met = largest["max_rss_mb"] < GOAL_MB
    text = (f"**{largest['path']}**: time **{'met' if time_met else 'not met'}** ({largest['total_cpu']:.1f} s CPU), "
            f"memory **{'met' if memory_met else 'not met'}** (peak {largest['max_rss_mb']:.0f} MB, of which "
            f"{largest['input_rss_mb']:.0f} MB with the results held; the reports add "
            f"{largest['max_rss_mb'] - largest['input_rss_mb']:.0f} MB); cost per host at {largest['hosts']:,} hosts "
            f"is {growth:.2f}x the cost per host at {smallest['hosts']:,} (1.0 = linear)")
    return text, {"time": time_met, "memory": memory_met}


def _part(selection_name: str, rows: list, paths: list) -> str:
    selectors = SELECTIONS[selection_name]
    what = ("the default catalog" if not selectors else
            "sections " + ", ".join(selectors["section"]))
    text = f"## Selection: {what}\n\n" + table(rows)
    largest = rows[-1]
    verdicts = [_verdict([row for row in rows if row["path"] == path]) for path in paths]
    notes = [
        "",
        "Paths: " + "; ".join(f"`{path}`, {PATHS[path]}" for path in paths) + ". Each row is a fresh process.",
        "Times are CPU seconds of the benchmark process (wall time as well for the total): the machine is shared, "
        "and the load average column says how busy it was. Peak memory is the process's maximum resident size, the "
        "results it holds included.",
        f"Each host probes {largest['targets_per_host']} targets of this selection and reports "
        f"{largest['skipped_per_host']} skipped entries; the simulated fleet has {largest['fleet_groups']} "
        f"distinct failure patterns at {largest['hosts']:,} hosts. A passing check returns what the module returns "
        "for one: stage, addresses, issuer and what each stage saw.",
        f"Goal: {largest['hosts']:,} hosts aggregated and all three reports written in under {GOAL_SECONDS:g} s "
        f"and under {GOAL_MB} MB, growing linearly:",
        *(f"- {verdict}." for verdict, _met in verdicts),
        f"Machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}.",
    ]
    return text + "\n" + "\n".join(notes)


if __name__ == "__main__":
    sys.exit(main())

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the reachability module, side by side with the obvious alternatives, in one run.

1. Local listeners: one netallow.apple.reachability task over N TCP targets against an
   ansible.builtin.wait_for task looping over the same N targets, both through ansible-playbook on the local
   connection. Task time is measured inside the play (timestamps before and after the task), and the whole
   ansible-playbook run from outside.
2. Black hole: every target of the default catalog, with every name resolved to an address whose packets an
   nftables rule drops inside a network namespace (nareach-bench-<pid>), so every connect really times out.
   The module's default worker count against 16 workers; N x timeout is what a sequential check would take.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_reachability.py
(benchmarks/run.py sets that up). Part 2 needs root; it is reported as not run otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from _bench import publish

from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import TCPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


LISTENERS = 200
TIMEOUT = 1.0
BLACK_HOLE = "192.0.2.99"

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    targets: "{{ lookup('ansible.builtin.file', targets_file) | from_json }}"
  tasks:
    - ansible.builtin.set_fact:
        started: "{{ now().timestamp() }}"
    - name: the task under test
      %s
    - ansible.builtin.copy:
        dest: "{{ result_file }}"
        content: "{{ {'seconds': now().timestamp() - (started | float), 'ok': ok_count | int} | to_json }}"
        mode: "0644"
      vars:
        ok_count: %s
"""

MODULE_TASK = """netallow.apple.reachability:
        targets: "{{ targets }}"
        timeout: 2
        use_proxy_env: false
        fail_on: any
      register: run"""
MODULE_OK = "\"{{ run.summary.ok }}\""

WAIT_FOR_TASK = """ansible.builtin.wait_for:
        host: "{{ item.host }}"
        port: "{{ item.port }}"
        timeout: 2
      loop: "{{ targets }}"
      register: run"""
WAIT_FOR_OK = "\"{{ run.results | rejectattr('failed') | list | length }}\""


def run_playbook(workdir, name, task, ok_expr, targets_file):
    playbook = os.path.join(workdir, f"{name}.yml")
    result_file = os.path.join(workdir, f"{name}.json")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write(PLAYBOOK % (task, ok_expr))
    started = time.monotonic()
    completed = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", playbook, "-e", f"targets_file={targets_file}",
         "-e", f"result_file={result_file}"],
        capture_output=True, text=True, timeout=900, check=False,
    )
    wall = time.monotonic() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{name} playbook failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-2000:]}")
    with open(result_file, encoding="utf-8") as handle:
        inside = json.load(handle)
    return {"task": inside["seconds"], "wall": wall, "ok": inside["ok"]}


def bench_local(workdir):
    servers = [TCPServer(lambda conn: None) for _index in range(LISTENERS)]
    try:
        targets = [{"host": "127.0.0.1", "port": s.port, "tls": False} for s in servers]
        targets_file = os.path.join(workdir, "targets.json")
        with open(targets_file, "w", encoding="utf-8") as handle:
            json.dump(targets, handle)
        module = run_playbook(workdir, "module", MODULE_TASK, MODULE_OK, targets_file)
        wait_for = run_playbook(workdir, "wait_for", WAIT_FOR_TASK, WAIT_FOR_OK, targets_file)
    finally:
        for server in servers:
            server.stop()
    return module, wait_for


NS_SCRIPT = r"""
import json, sys, time
from ansible_collections.netallow.apple.plugins.module_utils.probes.pool import run_probes
from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober
options, targets, workers = json.loads(sys.argv[1])
started = time.monotonic()
results = run_probes(targets, Prober(**options), workers=workers, deadline=600)
statuses = sorted({r["status"] for r in results})
print(json.dumps({"seconds": time.monotonic() - started, "statuses": statuses, "count": len(results)}))
"""


def catalog_targets():
    from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog, select
    from ansible_collections.netallow.apple.plugins.plugin_utils._selection import entries_to_targets

    entries = select(load_catalog())
    targets, skipped = entries_to_targets(entries)
    return targets, skipped


def bench_black_hole():
    if os.geteuid() != 0:
        return None
    targets, skipped = catalog_targets()
    name = f"nareach-bench-{os.getpid()}"

    def ns(*command):
        subprocess.run(["ip", "netns", "exec", name, *command], check=True, capture_output=True, timeout=10)

    rows = []
    try:
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
        ns("ip", "link", "set", "lo", "up")
        ns("ip", "addr", "add", f"{BLACK_HOLE}/32", "dev", "lo")
        ns("nft", "add table inet nareach; add chain inet nareach input { type filter hook input priority 0; }; "
           f"add rule inet nareach input ip daddr {BLACK_HOLE} drop")
        resolve = {t["probe"]: BLACK_HOLE for t in targets}
        options = {"timeout": TIMEOUT, "use_proxy_env": False, "resolve": resolve}
        env = dict(os.environ)
        for workers in (256, 16):
            completed = subprocess.run(
                ["ip", "netns", "exec", name, sys.executable, "-c", NS_SCRIPT,
                 json.dumps([options, targets, workers])],
                capture_output=True, text=True, timeout=900, env=env, check=True,
            )
            rows.append((workers, json.loads(completed.stdout)))
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=10, check=False)
    return {"targets": len(targets), "skipped": len(skipped), "rows": rows}


def main():
    lines = ["# Reachability benchmark", ""]
    with tempfile.TemporaryDirectory(prefix="nareach-bench-") as workdir:
        module, wait_for = bench_local(workdir)
    lines += [
        f"## {LISTENERS} local TCP listeners, one ansible-playbook run each (local connection)",
        "",
        "| check | targets ok | task time (s) | ansible-playbook wall time (s) |",
        "|---|---:|---:|---:|",
        f"| `netallow.apple.reachability` (one task) | {module['ok']}/{LISTENERS} | {module['task']:.2f} | "
        f"{module['wall']:.2f} |",
        f"| `ansible.builtin.wait_for` loop | {wait_for['ok']}/{LISTENERS} | {wait_for['task']:.2f} | "
        f"{wait_for['wall']:.2f} |",
        f"| speed-up | | **{wait_for['task'] / module['task']:.0f}x** | {wait_for['wall'] / module['wall']:.1f}x |",
        "",
    ]
    black_hole = bench_black_hole()
    if black_hole is None:
        lines += ["## Black-holed catalog", "", "Not run: needs root for the network namespace.", ""]
    else:
        count = black_hole["targets"]
        lines += [
            f"## Default catalog, every target black-holed ({count} targets, {black_hole['skipped']} skipped "
            f"entries/ports; timeout {TIMEOUT:g} s)",
            "",
            "| workers | statuses | wall time (s) |",
            "|---:|---|---:|",
        ]
        for workers, row in black_hole["rows"]:
            lines.append(f"| {workers} | {', '.join(row['statuses'])} | {row['seconds']:.2f} |")
        lines += [f"| 1 (sequential, computed: targets x timeout) | timeout | {count * TIMEOUT:.0f} |", ""]
    lines.append(f"Machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}.")
    text = "\n".join(lines) + "\n"
    publish("reachability", text)


if __name__ == "__main__":
    main()

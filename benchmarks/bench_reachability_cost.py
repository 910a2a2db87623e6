# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the fixed cost of one reachability task, taken apart.

Thirty catalog targets (sections devicesetup, devicemanagement and appleaccount), every name resolved to an address
that an nftables rule black-holes inside a network namespace (nareach-cost-<pid>), so every probe ends in its own
1 s connect timeout. The task runs with ansible-playbook on the local connection inside that namespace. Its fixed
cost is the task's time (timestamps inside the play) minus its slowest probe (the results' elapsed_ms), and it is
split into:

- the payload AnsiballZ ships to the host (kept with ANSIBLE_KEEP_REMOTE_FILES): its size and its module_utils,
- the module process alone (the kept payload run again with its own arguments), minus the probes' run,
- a bare Python start-up that imports ansible.module_utils.basic, the floor of any module,
- the controller-side selection of the targets (catalog load and select) in the action plugin.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_reachability_cost.py
(benchmarks/run.py sets that up). Needs root for the network namespace; reported as not run otherwise.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

from _bench import publish

import ansible_collections.netallow.apple as collection_package

# The copy of the collection this benchmark imports (benchmarks/run.py puts it on PYTHONPATH) is the one the
# playbook must run, not an installed one.
COLLECTIONS_ROOT = os.path.abspath(os.path.join(list(collection_package.__path__)[0], "..", "..", ".."))
BLACK_HOLE = "192.0.2.99"
TIMEOUT = 1.0
SECTIONS = ["devicesetup", "devicemanagement", "appleaccount"]
ROUNDS = 3

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - ansible.builtin.set_fact:
        started: "{{ now().timestamp() }}"
    - name: the task under test
      netallow.apple.reachability:
        section: %s
        resolve: "{{ lookup('ansible.builtin.file', resolve_file) | from_json }}"
        timeout: %s
        use_proxy_env: false
        fail_on: none
      register: run
    - ansible.builtin.copy:
        dest: "{{ result_file }}"
        content: "{{ {'seconds': now().timestamp() - (started | float),
                      'slowest_ms': run.results | map(attribute='elapsed_ms') | max,
                      'run_ms': run.summary.elapsed_ms, 'total': run.summary.total,
                      'statuses': run.results | map(attribute='status') | unique | list} | to_json }}"
        mode: "0644"
"""


def selection_seconds():
    """Cold (first load of the catalog in a process) and warm (cached) controller-side selection."""
    from ansible_collections.netallow.apple.plugins.action.reachability import select_targets
    from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import SELECTORS

    args = dict.fromkeys(SELECTORS)
    args.update(section=SECTIONS, include_removed=False, include_unverified=False, include_broad=False)
    started = time.perf_counter()
    targets, _skipped = select_targets(args)
    cold = time.perf_counter() - started
    warm = []
    for _round in range(5):
        started = time.perf_counter()
        select_targets(args)
        warm.append(time.perf_counter() - started)
    return targets, cold, statistics.median(warm)


def payload_facts(path: str) -> dict:
    """Size of the AnsiballZ wrapper, the files of the zip it carries, and what compiling them costs.

    Modules run from the zip (zipimport), where no bytecode cache applies: every file is compiled on every run.
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r"zip_data\s*=\s*'([^']*)'", text) or re.search(r"ZIPDATA = \"\"\"(.*?)\"\"\"", text, re.S)
    facts = {"wrapper": len(text.encode()), "files": 0, "unzipped": 0, "ours": {}, "compile_ours": 0.0,
             "compile_all": 0.0}
    if not match:
        return facts
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(match.group(1)))) as archive:
        for info in archive.infolist():
            source = archive.read(info.filename)
            seconds = statistics.median(_compile_seconds(source, info.filename) for _round in range(3))
            facts["files"] += 1
            facts["unzipped"] += len(source)
            facts["compile_all"] += seconds
            if "netallow/apple/plugins/" in info.filename:
                facts["ours"][info.filename] = len(source)
                facts["compile_ours"] += seconds
    return facts


def _compile_seconds(source: bytes, name: str) -> float:
    started = time.perf_counter()
    compile(source, name, "exec")
    return time.perf_counter() - started


def prober_start_seconds() -> tuple:
    """Median seconds to build a Prober, and to load the host's trust store (which the Prober now defers)."""
    import ssl

    from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober

    def timed(func):
        samples = []
        for _round in range(5):
            started = time.perf_counter()
            func()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    return timed(lambda: Prober(use_proxy_env=False)), timed(ssl.create_default_context)


def main():
    if os.geteuid() != 0:
        publish("reachability_cost", "# Reachability task: fixed cost\n\nNot run: needs root for the network "
                "namespace.\n")
        return
    targets, cold, warm = selection_seconds()
    prober_start, trust_store = prober_start_seconds()
    name = f"nareach-cost-{os.getpid()}"
    rows, module_rows, payload = [], [], None

    def ns(*command, **kwargs):
        return subprocess.run(["ip", "netns", "exec", name, *command], check=True, capture_output=True,
                              text=True, **kwargs)

    with tempfile.TemporaryDirectory(prefix="nareach-cost-") as workdir:
        try:
            subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
            ns("ip", "link", "set", "lo", "up", timeout=10)
            ns("ip", "addr", "add", f"{BLACK_HOLE}/32", "dev", "lo", timeout=10)
            ns("nft", "add table inet nareach; add chain inet nareach input { type filter hook input priority 0; }; "
               f"add rule inet nareach input ip daddr {BLACK_HOLE} drop", timeout=10)
            resolve_file = os.path.join(workdir, "resolve.json")
            with open(resolve_file, "w", encoding="utf-8") as handle:
                json.dump({t["probe"]: BLACK_HOLE for t in targets}, handle)
            playbook = os.path.join(workdir, "play.yml")
            with open(playbook, "w", encoding="utf-8") as handle:
                handle.write(PLAYBOOK % (json.dumps(SECTIONS), TIMEOUT))
            for index in range(ROUNDS):
                result_file = os.path.join(workdir, f"result{index}.json")
                remote_tmp = os.path.join(workdir, f"remote{index}")
                env = dict(os.environ, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=remote_tmp,
                           ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT)
                started = time.monotonic()
                ns("ansible-playbook", "-i", "localhost,", playbook, "-e", f"resolve_file={resolve_file}",
                   "-e", f"result_file={result_file}", env=env, timeout=300)
                wall = time.monotonic() - started
                with open(result_file, encoding="utf-8") as handle:
                    inside = json.load(handle)
                inside["wall"] = wall
                rows.append(inside)
                wrapper = glob.glob(os.path.join(remote_tmp, "*", "AnsiballZ_reachability.py"))[0]
                payload = payload_facts(wrapper)
                started = time.monotonic()
                out = ns(sys.executable, wrapper, timeout=120, env=dict(os.environ)).stdout
                seconds = time.monotonic() - started
                run_ms = json.loads(out[out.index("{"):])["summary"]["elapsed_ms"]
                module_rows.append({"seconds": seconds, "run_ms": run_ms})
            floor = []
            for _round in range(ROUNDS):
                started = time.monotonic()
                ns(sys.executable, "-c", "import ansible.module_utils.basic", timeout=60)
                floor.append(time.monotonic() - started)
        finally:
            subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=10, check=False)

    task = statistics.median(r["seconds"] for r in rows)
    slowest = statistics.median(r["slowest_ms"] for r in rows) / 1000
    run = statistics.median(r["run_ms"] for r in rows) / 1000
    module_total = statistics.median(r["seconds"] for r in module_rows)
    module_run = statistics.median(r["run_ms"] for r in module_rows) / 1000
    lines = [
        "# Reachability task: fixed cost",
        "",
        f"{rows[0]['total']} catalog targets ({', '.join(SECTIONS)}), every one black-holed (statuses: "
        f"{', '.join(rows[0]['statuses'])}); timeout {TIMEOUT:g} s; median of {ROUNDS} ansible-playbook runs "
        "(local connection, inside a network namespace).",
        "",
        "| what | seconds |",
        "|---|---:|",
        f"| task time (inside the play) | {task:.2f} |",
        f"| slowest probe (max elapsed_ms) | {slowest:.2f} |",
        f"| **fixed cost: task minus slowest probe** | **{task - slowest:.2f}** |",
        f"| probe run inside the module (summary.elapsed_ms) | {run:.2f} |",
        f"| module process alone, start to exit (kept payload run again) | {module_total:.2f} |",
        f"| outside the probe run (unpack, compile, imports, checks, exit) | {module_total - module_run:.2f} |",
        f"| bare `python -c 'import ansible.module_utils.basic'` | {statistics.median(floor):.2f} |",
        f"| controller-side selection, first in a process (catalog load + select) | {cold:.3f} |",
        f"| controller-side selection, catalog cached | {warm:.3f} |",
        f"| ansible-playbook wall time | {statistics.median(r['wall'] for r in rows):.2f} |",
        f"| Prober start-up (the host's trust store is loaded on first TLS use) | {prober_start:.3f} |",
        f"| loading the host's trust store (ssl.create_default_context), saved when no target reaches TLS | "
        f"{trust_store:.3f} |",
        "",
        f"Payload: AnsiballZ wrapper {payload['wrapper'] / 1024:.0f} KiB, {payload['files']} files "
        f"({payload['unzipped'] / 1024:.0f} KiB unzipped), compiled on every run in {payload['compile_all']:.3f} s "
        f"(no bytecode cache inside the zip). This collection's share: {len(payload['ours'])} files, "
        f"{sum(payload['ours'].values()) / 1024:.1f} KiB, compiled in {payload['compile_ours']:.3f} s; the rest is "
        "ansible-core's module_utils:",
        "",
    ]
    lines += [f"- `{path.split('netallow/apple/', 1)[1]}` {size / 1024:.1f} KiB"
              for path, size in sorted(payload["ours"].items())]
    lines += ["", f"Machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}."]
    publish("reachability_cost", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

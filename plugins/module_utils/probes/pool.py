# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every target of a run in parallel: a bounded pool of daemon threads and one deadline for the whole run."""

from __future__ import annotations

import threading
import time

from ansible_collections.netallow.apple.plugins.module_utils.probes.result import new_result


def run_probes(targets, prober, workers: int = 64, deadline: float = 60.0) -> list:
    """Probe every target with a bounded pool of daemon threads.

    Targets still running when the deadline passes are reported as `timeout` with detail "deadline"; their
    threads are daemons, so they never hold up the module's exit.
    """
    targets = list(targets)
    results = [None] * len(targets)
    progress = [{"stage": None} for _target in targets]
    started = [None] * len(targets)
    lock = threading.Lock()
    next_index = [0]
    done = threading.Event()
    finished = [0]

    def worker():
        while True:
            with lock:
                index = next_index[0]
                if index >= len(targets):
                    return
                next_index[0] += 1
                started[index] = time.monotonic()
            outcome = prober.probe(targets[index], progress[index])
            with lock:
                results[index] = outcome
                finished[0] += 1
                if finished[0] == len(targets):
                    done.set()

    if not targets:
        return []
    run_start = time.monotonic()
    for _index in range(max(1, min(int(workers), len(targets)))):
        threading.Thread(target=worker, daemon=True).start()
    done.wait(max(0.0, float(deadline)))
    with lock:
        final = []
        for index, target in enumerate(targets):
            if results[index] is not None:
                final.append(results[index])
                continue
            stage = progress[index]["stage"]
            began = started[index]
            result = new_result(target, target.get("probe") or target["host"], int(target["port"]),
                                target.get("protocol", "tcp"), status="timeout",
                                detail=f"deadline of {float(deadline):g}s reached "
                                + (f"during stage {stage}" if stage else "before the probe started"))
            result["stage"] = stage
            result["elapsed_ms"] = int((time.monotonic() - (began or run_start)) * 1000)
            final.append(result)
        # Stop idle workers from picking up more targets after the deadline.
        next_index[0] = len(targets)
    return final

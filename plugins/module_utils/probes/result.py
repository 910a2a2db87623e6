# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a probe reports: one result per target, the failure a stage raises, and the counts over a run."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import FAILED_STATUSES, PROBE_STATUSES

# When several addresses of one name failed in different ways, the most telling way is reported.
_FAILURE_PREFERENCE = ("refused", "timeout", "unreachable")


class ProbeFailure(Exception):
    """A stage failed: carries the status to report and a human-readable detail."""

    def __init__(self, status: str, detail: str, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def most_telling_failure(failures) -> ProbeFailure:
    """One failure for a name whose every address failed: ``failures`` is a list of (status, text) pairs."""
    status = next((s for s in _FAILURE_PREFERENCE if any(kind == s for kind, _text in failures)), "unreachable")
    return ProbeFailure(status, "; ".join(text for _kind, text in failures))


def new_result(target: dict, name: str, port: int, protocol: str, status: str = "ok", detail: str = "") -> dict:
    """A result with every key the module returns, before (or instead of) probing ``target``."""
    return {
        "host": target["host"],
        "probe": name,
        "port": port,
        "protocol": protocol,
        "id": target.get("id"),
        "required": bool(target.get("required", True)),
        "status": status,
        "stage": None,
        "addresses": [],
        "address_owner": None,
        "address": None,
        "proxy": None,
        "issuer": None,
        "elapsed_ms": 0,
        "detail": detail,
    }


def summarize(results, elapsed_ms: int | None = None, passed: int = 0) -> dict:
    """Counts over ``results``, plus ``passed`` checks that were ok and are not in the list (the compact shape)."""
    counts = {status: 0 for status in PROBE_STATUSES}
    counts["ok"] = passed
    for item in results:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    summary = {
        "total": len(results) + passed,
        "ok": counts["ok"],
        "failed": sum(counts[s] for s in FAILED_STATUSES),
        "skipped": counts["skipped"],
        "required_failed": sum(1 for r in results if r["status"] in FAILED_STATUSES and r.get("required", True)),
        "by_status": {k: v for k, v in counts.items() if v},
    }
    if elapsed_ms is not None:
        summary["elapsed_ms"] = elapsed_ms
    return summary


def passed_result(target: dict, elapsed_ms: int = 0) -> dict:
    """The result of a check of ``target`` that passed, with what the compact shape keeps of it: the target's own
    keys, the status and the time; the stage, the addresses, the issuer and the detail are not kept."""
    result = new_result(target, target.get("probe") or target["host"], int(target["port"]),
                        target.get("protocol", "tcp"))
    if target.get("entry_ids"):
        result["entry_ids"] = list(target["entry_ids"])
    result["elapsed_ms"] = elapsed_ms
    return result


def compact_results(results: list) -> dict:
    """The compact shape of one run's ``results`` (one per target, in the order of the targets).

    ``results`` keeps every check that did not pass, in full; ``passed`` holds the checks that passed as two lists
    of the same length: their positions in the targets and their milliseconds.
    """
    kept, index, elapsed = [], [], []
    for position, result in enumerate(results):
        if result["status"] == "ok":
            index.append(position)
            elapsed.append(int(result.get("elapsed_ms") or 0))
        else:
            kept.append(result)
    return {"results": kept, "passed": {"index": index, "elapsed_ms": elapsed}}


def passed_times(passed: dict, checks: int, targets: int) -> list:
    """Per target, the milliseconds of its check when it passed, else None: from the compact shape's ``passed``
    and the number of other checks (``results``). Raises ValueError when they do not fit ``targets`` targets."""
    index = passed.get("index") if isinstance(passed, dict) else None
    elapsed = passed.get("elapsed_ms") if isinstance(passed, dict) else None
    if not isinstance(index, list) or not isinstance(elapsed, list) or len(index) != len(elapsed):
        raise ValueError("passed needs two lists of the same length, index and elapsed_ms")
    if not all(isinstance(ms, int) for ms in elapsed):
        raise ValueError("passed.elapsed_ms must hold whole milliseconds")
    times = [None] * targets
    for position, ms in zip(index, elapsed):
        if not isinstance(position, int) or not 0 <= position < targets or times[position] is not None:
            raise ValueError(f"passed.index must hold distinct positions in the {targets} targets of the selection")
        times[position] = ms
    if len(index) + checks != targets:
        raise ValueError(f"{len(index)} passed and {checks} other checks do not fit the {targets} targets of the "
                         "selection")
    return times


def expand_results(results: list, times: list, passed_results: list) -> list:
    """The results of one run in the order of its targets, from its compact shape: ``results`` (the checks that did
    not pass, in order), ``times`` from :func:`passed_times`, and ``passed_results`` the :func:`passed_result` of
    each target (the same for every host of a selection, built once and copied here with the host's time)."""
    others = iter(results)
    return [next(others) if ms is None else {**base, "elapsed_ms": ms} for base, ms in zip(passed_results, times)]

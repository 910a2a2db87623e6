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


def summarize(results, elapsed_ms: int | None = None) -> dict:
    counts = {status: 0 for status in PROBE_STATUSES}
    for item in results:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    summary = {
        "total": len(results),
        "ok": counts["ok"],
        "failed": sum(counts[s] for s in FAILED_STATUSES),
        "skipped": counts["skipped"],
        "required_failed": sum(1 for r in results if r["status"] in FAILED_STATUSES and r.get("required", True)),
        "by_status": {k: v for k, v in counts.items() if v},
    }
    if elapsed_ms is not None:
        summary["elapsed_ms"] = elapsed_ms
    return summary

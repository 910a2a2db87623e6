# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reachability results of one or many hosts -> JUnit XML, Markdown and a single-file HTML report.

Pure functions over plain data. Input is normalised first (:func:`normalize_runs`) so that every renderer sees
the same shape: a list of ``(hostname, results)`` pairs sorted by hostname, whatever the play's strategy or forks
did to the order in which hosts finished.
"""

from __future__ import annotations

import functools
import html
import json
import operator
import re
from collections.abc import Mapping
from typing import Any

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import FAILED_STATUSES
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import (
    expand_results,
    passed_result,
    passed_times,
)

# The probe statuses (module_utils/_vocabulary.PROBE_STATUSES), worst first: the order reports sort and count in.
STATUS_ORDER = (
    "intercepted",
    "proxy_denied",
    "tls_failed",
    "service_failed",
    "dns_failed",
    "refused",
    "unreachable",
    "timeout",
    "skipped",
    "ok",
)
FAILED = FAILED_STATUSES
# Colours (background, text) per status: red family for failures, purple for the interception Apple warns about.
STATUS_COLOURS = {
    "ok": ("#d9f2d9", "#14531b"),
    "skipped": ("#ececec", "#4a4a4a"),
    "intercepted": ("#ead7f7", "#5a1780"),
    "proxy_denied": ("#ffe2c2", "#7a3b00"),
    "tls_failed": ("#ffd6d6", "#8a1010"),
    "service_failed": ("#ffe9b3", "#6b4a00"),
    "dns_failed": ("#ffd6d6", "#8a1010"),
    "refused": ("#ffd6d6", "#8a1010"),
    "unreachable": ("#ffd6d6", "#8a1010"),
    "timeout": ("#ffd0e0", "#86113f"),
}
REQUIRED_RESULT_KEYS = ("host", "port", "protocol", "status")


# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, carriage return; surrogates; FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ReportError(ValueError):
    """Input that is not reachability results; the message names what was found."""


def _status_rank(status: str) -> int:
    try:
        return STATUS_ORDER.index(status)
    except ValueError:
        return 0


def _check_results(results: Any, where: str) -> list:
    if not isinstance(results, (list, tuple)):
        raise ReportError(f"{where}: expected a list of results, got {type(results).__name__}")
    for item in results:
        # The common case in one expression per result (a fleet has a million); the slow path names the problem.
        if not (isinstance(item, dict) and "status" in item and "host" in item and "port" in item
                and "protocol" in item):
            break
    else:
        return results if isinstance(results, list) else list(results)
    checked = []
    for index, item in enumerate(results):
        if not isinstance(item, dict) and not isinstance(item, Mapping):  # dict first: the cheap check
            raise ReportError(f"{where}[{index}]: expected a result dict, got {type(item).__name__}")
        missing = [key for key in REQUIRED_RESULT_KEYS if key not in item]
        if missing:
            raise ReportError(f"{where}[{index}]: missing keys {', '.join(missing)} (results of "
                              "netallow.apple.reachability have host, port, protocol, status, ...)")
        checked.append(item)
    return checked


class CompactRun:
    """One host's results in the compact shape (``result_shape=compact``), expanded each time they are read: the
    checks that passed are rebuilt from the selection's targets, one host at a time, so a fleet's results are never
    held in full. Reads like the list of results the full shape has (``len``, iteration, truth)."""

    __slots__ = ("_results", "_times", "_targets", "_passed_results", "_skipped")

    def __init__(self, results: list, times: list, selection: tuple):
        self._results = results
        self._times = times
        self._targets, self._skipped, self._passed_results = selection

    def __len__(self) -> int:
        return len(self._targets) + len(self._skipped)

    def __bool__(self) -> bool:
        return bool(self._targets or self._skipped)

    def __iter__(self):
        # One host's expanded results live while they are read, then go.
        expanded = expand_results(self._results, self._times, self._passed_results)
        expanded.extend(self._skipped)
        return iter(expanded)


@functools.lru_cache(maxsize=16)
def _selection_of(text: str) -> tuple:
    """``(targets, skipped, passed results)`` of a compact result's ``selection`` (as JSON: one per distinct
    selection, however many hosts share it); raises ReportError when the catalog changed since the check."""
    from ansible_collections.netallow.apple.plugins.plugin_utils import _selection
    from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError

    selection = json.loads(text)
    if isinstance(selection.get("targets"), list):
        targets, skipped = selection["targets"], []
    elif isinstance(selection.get("options"), dict):
        options = selection["options"]
        key = _selection.selection_key(options)
        if selection.get("key") and key != selection["key"]:
            raise ReportError("the catalog changed since the hosts ran the check: their compact results refer to "
                              "targets of the catalog they were selected from; run the check again (or with "
                              "result_shape=full)")
        try:
            targets, skipped = _selection.select_targets(options)
        except CatalogError as exc:
            raise ReportError(f"the targets of compact results cannot be selected again: {exc}") from exc
    else:
        raise ReportError("selection: expected 'options' (catalog selectors) or 'targets'")
    if not all(isinstance(t, Mapping) and "host" in t and "port" in t for t in targets):
        raise ReportError("selection.targets: expected targets with host and port")
    return targets, skipped, [passed_result(target) for target in targets]


def _compact_results_of(value: Mapping, where: str) -> CompactRun:
    selection = value.get("selection")
    if not isinstance(selection, Mapping):
        raise ReportError(f"{where}: compact results (with 'passed') need the 'selection' the action plugin adds; "
                          "run netallow.apple.reachability as an action, not the module alone")
    try:
        text = json.dumps(selection, sort_keys=True, default=str)
    except (TypeError, ValueError) as exc:
        raise ReportError(f"{where}.selection: {exc}") from exc
    try:
        shared = _selection_of(text)
    except ReportError as exc:
        raise ReportError(f"{where}: {exc}") from None
    results = _check_results(value["results"], f"{where}.results")
    try:
        times = passed_times(value["passed"], len(results), len(shared[0]))
    except ValueError as exc:
        raise ReportError(f"{where}.passed: {exc}") from None
    return CompactRun(results, times, shared)


def _results_of(value: Any, where: str) -> list:
    """Results of one host: a module result (dict with 'results', full or compact), or the list itself."""
    if isinstance(value, Mapping):
        if "passed" in value and "results" in value:
            return _compact_results_of(value, where)
        if "results" not in value:
            if value.get("skipped"):
                return []
            raise ReportError(f"{where}: a module result needs a 'results' list (keys found: "
                              f"{', '.join(sorted(map(str, value))) or 'none'})")
        return _check_results(value["results"], f"{where}.results")
    return _check_results(value, where)


def normalize_runs(data: Any, host: str = "localhost", result: str | None = None) -> list:
    """Accept the shapes a play produces and return ``[(hostname, [result, ...]), ...]`` sorted by hostname.

    Hosts without a result are left out; :func:`collect_runs` also returns their names.
    """
    return collect_runs(data, host, result)[0]


def _host_value(variables: Any, name: str, where: str) -> Any:
    """Variable ``name`` of one host's variables (``hostvars[host]``), or None when the host has none."""
    if not isinstance(variables, Mapping):
        raise ReportError(f"{where}: expected the host's variables (hostvars[host]), got {type(variables).__name__}")
    if name not in variables:
        return None
    try:
        return variables[name]
    except KeyError:
        return None


def collect_runs(data: Any, host: str = "localhost", result: str | None = None) -> tuple[list, list]:
    """``(runs, without)``: runs as ``[(hostname, [result, ...]), ...]`` sorted by hostname, and the sorted names of
    hosts that have no result (they did not run the check).

    Accepted shapes:

    - one module result (``{'results': [...], 'summary': ...}``) or a bare results list: one host named ``host``;
    - a mapping of hostname to module result (or to a results list), as built from ``hostvars``; a host whose
      value is None (``hostvars[h].reach | default(none)``) has no result;
    - a list of ``{'host'|'inventory_hostname': name, 'results': [...]}`` items;
    - with ``result`` (the name of the registered variable): ``hostvars`` itself, or a list of host variables
      (``groups['all'] | map('extract', hostvars)``); hosts without that variable have no result.
    """
    if result is not None:
        return _collect_hostvars(data, str(result))
    if isinstance(data, Mapping) and "results" in data and isinstance(data.get("results"), (list, tuple)):
        return [(str(host), _results_of(data, str(host)))], []
    if isinstance(data, Mapping):
        runs, without = [], []
        for name, value in data.items():
            if value is None:
                without.append(str(name))
            else:
                runs.append((str(name), _results_of(value, str(name))))
        return sorted(runs, key=lambda pair: pair[0]), sorted(without)
    if isinstance(data, (list, tuple)):
        if all(isinstance(i, Mapping) and "status" in i for i in data):
            return [(str(host), _check_results(data, str(host)))], []
        runs = []
        for index, item in enumerate(data):
            if not isinstance(item, Mapping):
                raise ReportError(f"[{index}]: expected a mapping, got {type(item).__name__}")
            name = item.get("inventory_hostname", item.get("hostname"))
            if name is None:
                raise ReportError(f"[{index}]: a per-host item needs 'inventory_hostname' (or 'hostname') and "
                                  "'results'")
            runs.append((str(name), _results_of(item, str(name))))
        return sorted(runs, key=lambda pair: pair[0]), []
    raise ReportError(f"expected reachability results (a module result, a mapping of host to result, or a list), "
                      f"got {type(data).__name__}")


def _hostvars_items(data: Any, what: str) -> list:
    """``[(hostname, host variables)]`` from ``hostvars`` or from a list of host variables."""
    if isinstance(data, Mapping):
        return [(str(name), data[name]) for name in data]
    if isinstance(data, (list, tuple)):
        pairs = []
        for index, variables in enumerate(data):
            name = _host_value(variables, "inventory_hostname", f"[{index}]")
            if name is None:
                raise ReportError(f"[{index}]: with {what}, each item is one host's variables "
                                  "(groups['all'] | map('extract', hostvars)); this one has no inventory_hostname")
            pairs.append((str(name), variables))
        return pairs
    raise ReportError(f"with {what}, expected hostvars or a list of host variables, got {type(data).__name__}")


def _collect_hostvars(data: Any, name: str) -> tuple[list, list]:
    runs, without = [], []
    for hostname, variables in _hostvars_items(data, f"result={name!r}"):
        value = _host_value(variables, name, hostname)
        if value is None:
            without.append(hostname)
        else:
            runs.append((hostname, _results_of(value, f"{hostname}.{name}")))
    return sorted(runs, key=lambda pair: pair[0]), sorted(without)


def without_sentence(without: list, limit: int = 20) -> str:
    """``2 hosts without results: a, b`` (the first ``limit`` names), or an empty string."""
    if not without:
        return ""
    shown = ", ".join(without[:limit]) + (f" (+{len(without) - limit} more)" if len(without) > limit else "")
    return f"{len(without)} host{'' if len(without) == 1 else 's'} without results: {shown}"


# ------------------------------------------------------------------------------------------------ drift
# What each host runs: the stamps the netallow.apple.deployed module read back (files and live tables), per host.

DRIFT_STATES = ("out of date", "not compared", "nothing deployed", "in sync")
DRIFT_COLOURS = {"out of date": STATUS_COLOURS["tls_failed"], "not compared": STATUS_COLOURS["skipped"],
                 "nothing deployed": STATUS_COLOURS["service_failed"], "in sync": STATUS_COLOURS["ok"]}


def _deployed_items(value: Any, where: str) -> list:
    if not isinstance(value, Mapping):
        raise ReportError(f"{where}: expected a result of netallow.apple.deployed, got {type(value).__name__}")
    if value.get("skipped") and "files" not in value:
        return []
    if "files" not in value and "tables" not in value:
        raise ReportError(f"{where}: a result of netallow.apple.deployed has 'files' (keys found: "
                          f"{', '.join(sorted(map(str, value))) or 'none'})")
    items = []
    for key in ("files", "tables"):
        listed = value.get(key) or []
        if not isinstance(listed, (list, tuple)) or not all(isinstance(i, Mapping) for i in listed):
            raise ReportError(f"{where}.{key}: expected a list of read-back results")
        items.extend(listed)
    return items


def host_drift(value: Any, where: str = "deployed") -> dict:
    """One host's drift from its ``deployed`` result: state, what was found, the current stamp, names since.

    ``state`` is ``in sync`` (every stamp found matches the current one), ``out of date`` (one does not),
    ``nothing deployed`` (no file or table holds a stamp) or ``not compared`` (stamps found, no current stamp given).
    """
    items = _deployed_items(value, where)
    found = [i for i in items if i.get("found")]
    where_found = [str(i.get("path") or i.get("table") or "?") for i in found]
    missing = [str(i.get("path") or i.get("table") or "?") for i in items if not i.get("found")]
    current = next((i for i in items if i.get("current_digest")), {})
    added = sorted({str(n) for i in found for n in i.get("added") or ()})
    removed = sorted({str(n) for i in found for n in i.get("removed") or ()})
    if not found:
        state = "nothing deployed"
    elif any(i.get("in_sync") is False for i in found):
        state = "out of date"
    elif all(i.get("in_sync") for i in found):
        state = "in sync"
    else:
        state = "not compared"
    return {"state": state,
            "versions": sorted({str(i.get("catalog_version")) for i in found}),
            "digests": sorted({str(i.get("digest")) for i in found}),
            "current_version": current.get("current_version"), "current_digest": current.get("current_digest"),
            "added": added, "removed": removed, "where": where_found, "missing": missing}


def collect_drift(deployed: Any, data: Any = None, host: str = "localhost", result: str | None = None) -> dict:
    """``{hostname: host_drift}`` from the ``deployed`` option of a report.

    ``deployed`` is one result of netallow.apple.deployed (the host ``host``), a mapping of hostname to such a
    result (None for a host that did not read), or, when the reachability results come from ``hostvars``
    (``result``), the name of the variable each host registered it in.
    """
    if deployed is None:
        return {}
    if isinstance(deployed, str):
        if result is None:
            raise ReportError(f"deployed={deployed!r} names a host variable: pass hostvars (or a list of host "
                              "variables) with result=<name of the reachability result>")
        pairs = [(name, _host_value(variables, deployed, name))
                 for name, variables in _hostvars_items(data, f"deployed={deployed!r}")]
    elif isinstance(deployed, Mapping) and ("files" in deployed or "tables" in deployed):
        pairs = [(str(host), deployed)]
    elif isinstance(deployed, Mapping):
        pairs = [(str(name), value) for name, value in deployed.items()]
    else:
        raise ReportError(f"deployed: expected a result of netallow.apple.deployed, a mapping of host to such a "
                          f"result, or the name of a host variable, got {type(deployed).__name__}")
    return {name: host_drift(value, f"deployed[{name}]") for name, value in sorted(pairs) if value is not None}


def drift_counts(drift: Mapping) -> str:
    """``What each host runs: 3 in sync, 1 out of date`` (states in a fixed order), or an empty string."""
    if not drift:
        return ""
    counts = {}
    for entry in drift.values():
        counts[entry["state"]] = counts.get(entry["state"], 0) + 1
    return "What each host runs: " + ", ".join(f"{counts[s]} {s}" for s in DRIFT_STATES if counts.get(s)) + "."


def drift_sentence(entry: Mapping) -> str:
    """One host's drift in one sentence: found, current, and the names added and removed since."""
    found = ", ".join(f"catalog {v}" for v in entry["versions"]) + " selection " + ", ".join(entry["digests"])
    current = f"catalog {entry['current_version']} selection {entry['current_digest']}"
    if entry["state"] == "nothing deployed":
        return "nothing deployed" + (f" (no stamp in {', '.join(entry['missing'])})" if entry["missing"] else "")
    if entry["state"] == "not compared":
        return f"runs {found}; no current stamp to compare with"
    if entry["state"] == "in sync":
        return f"in sync: runs {current}"
    changes = []
    if entry["added"]:
        changes.append(f"added since: {', '.join(entry['added'])}")
    if entry["removed"]:
        changes.append(f"removed since: {', '.join(entry['removed'])}")
    return f"out of date: runs {found}, current {current}" + ("; " + "; ".join(changes) if changes else "")


@functools.lru_cache(maxsize=8192)
def _cached_label(host: str, probe: Any, protocol: Any, port: Any) -> str:
    name = f"{host} ({probe})" if probe and probe != host else host
    return f"{name} {protocol}/{port}"


def target_label(result: Mapping) -> str:
    # A fleet repeats the same few hundred targets on every host: the label is built once per target.
    try:
        return _cached_label(str(result["host"]), result.get("probe"), result["protocol"], result["port"])
    except TypeError:  # an unhashable value in a hand-made result
        return _cached_label.__wrapped__(str(result["host"]), result.get("probe"), result["protocol"], result["port"])


def _target_key(result: Mapping) -> tuple:
    return (str(result["host"]), result.get("probe") or str(result["host"]), str(result["protocol"]),
            str(result["port"]))


def summarize_runs(runs: list) -> dict:
    """Totals over all hosts and, per target, how many hosts reach it and with which statuses."""
    totals: dict = {"hosts": len(runs), "results": 0, "ok": 0, "failed": 0, "skipped": 0, "by_status": {},
                    "hosts_all_ok": 0, "hosts_with_failures": 0}
    targets: dict = {}
    by_raw: dict = {}  # the result's own values -> its target, to skip building the normalised key a million times
    by_status = totals["by_status"]
    for hostname, results in runs:
        host_failed = False
        for result in results:
            status = result["status"]
            by_status[status] = by_status.get(status, 0) + 1
            raw = (result["host"], result.get("probe"), result["protocol"], result["port"])
            try:
                entry = by_raw.get(raw)
            except TypeError:  # an unhashable value in a hand-made result
                raw, entry = None, None
            if entry is None:
                key = _target_key(result)
                entry = targets.get(key)
                if entry is None:
                    entry = targets[key] = {
                        "target": target_label(result),
                        "host": result["host"],
                        "probe": result.get("probe") or result["host"],
                        "protocol": result["protocol"],
                        "port": result["port"],
                        "required": bool(result.get("required", True)),
                        "hosts": 0,
                        "hosts_ok": 0,
                        "by_status": {},
                        "failing_hosts": [],
                    }
                if raw is not None:
                    by_raw[raw] = entry
            entry["hosts"] += 1
            counts = entry["by_status"]
            counts[status] = counts.get(status, 0) + 1
            if status == "ok":
                entry["hosts_ok"] += 1
            elif status != "skipped":
                entry["failing_hosts"].append(hostname)
                host_failed = True
        if host_failed:
            totals["hosts_with_failures"] += 1
        elif results:
            totals["hosts_all_ok"] += 1
    totals["results"] = sum(by_status.values())
    totals["ok"] = by_status.get("ok", 0)
    totals["skipped"] = by_status.get("skipped", 0)
    totals["failed"] = totals["results"] - totals["ok"] - totals["skipped"]
    # Most failing hosts first; targets that fail nowhere follow in name order.
    ordered = sorted(targets.values(), key=lambda t: (-len(t["failing_hosts"]), t["target"]))
    return {"totals": totals, "targets": ordered}


def _sorted_results(results: list) -> list:
    """Failures first (worst kind first), then skipped, then ok; stable by target within a status."""
    return sorted(results, key=lambda r: (_status_rank(r["status"]), target_label(r)))


# ------------------------------------------------------------------------------------------------ JUnit


# A fleet's report repeats the same names, statuses and texts on every host: each is escaped once.
@functools.lru_cache(maxsize=65536)
def _xml_escape(text: str) -> str:
    if _XML_INVALID.search(text):
        text = _XML_INVALID.sub("\ufffd", text)
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")


@functools.lru_cache(maxsize=65536)
def _xml_body(text: str) -> str:
    if _XML_INVALID.search(text):
        text = _XML_INVALID.sub("\ufffd", text)
    return html.escape(text, quote=False)


def _case_body(result: Mapping) -> str:
    try:
        key = (result["status"], result.get("stage"), tuple(result.get("addresses") or ()),
               result.get("address_owner"), result.get("proxy"), result.get("issuer"), result.get("detail"))
        return _case_body_cached(key)
    except TypeError:  # an unhashable value in a hand-made result
        return _xml_body(_case_text(result))


@functools.lru_cache(maxsize=65536)
def _case_body_cached(key: tuple) -> str:
    status, stage, addresses, owner, proxy, issuer, detail = key
    return _xml_body(_case_text({"status": status, "stage": stage, "addresses": list(addresses),
                                 "address_owner": owner, "proxy": proxy, "issuer": issuer, "detail": detail}))


def _drift_case(hostname: str, entry: Mapping) -> tuple[str, bool, bool]:
    """``(testcase, failed, skipped)`` for one host's deployed allow-list."""
    head = (f'    <testcase name="deployed allow-list" classname="{_xml_escape(hostname + ".deployed")}" '
            f'time="0.000"')
    text = drift_sentence(entry)
    message = _xml_escape(text[:500])  # cut before escaping: never half an entity
    if entry["state"] == "out of date":
        return (f'{head}>\n      <failure type="out_of_date" message="{message}">{_xml_body(text)}'
                "</failure>\n    </testcase>"), True, False
    if entry["state"] in ("nothing deployed", "not compared"):
        return f'{head}>\n      <skipped message="{message}" />\n    </testcase>', False, True
    return f"{head}>\n      <system-out>{_xml_body(text)}</system-out>\n    </testcase>", False, False


_CASE_FIELDS = ("status", "host", "probe", "protocol", "port", "id", "stage", "address_owner", "proxy", "issuer",
                "detail")


def _case_key(result: Mapping) -> tuple:
    """What a JUnit case's text depends on, apart from the host's name and the seconds."""
    addresses = result.get("addresses")
    return (*map(result.get, _CASE_FIELDS), tuple(addresses) if isinstance(addresses, list) else addresses)


def _junit_case_parts(result: Mapping) -> tuple:
    """``((rank, label), kind, before host, between host and seconds, after seconds)`` of one result's case."""
    status = result["status"]
    label = target_label(result)
    before = f'    <testcase name="{_xml_escape(label)}" classname="'
    between = f'.{_xml_escape(str(result.get("id") or result["host"]))}" time="'
    detail = str(result.get("detail") or "")
    if status in FAILED:
        message = _xml_escape(f"{status}: {detail}"[:500])
        return ((_status_rank(status), label), "failed", before, between,
                f'">\n      <failure type="{_xml_escape(str(status))}" message="{message}">'
                f"{_case_body(result)}</failure>\n    </testcase>")
    if status == "skipped":
        return ((_status_rank(status), label), "skipped", before, between,
                f'">\n      <skipped message="{_xml_escape(detail[:500])}" />\n    </testcase>')
    return ((_status_rank(status), label), "ok", before, between,
            f'">\n      <system-out>{_case_body(result)}</system-out>\n    </testcase>')


_first = operator.itemgetter(0)


def _millis(result: Mapping) -> int:
    try:
        return max(0, int(result.get("elapsed_ms") or 0))
    except (TypeError, ValueError):
        return 0


def to_junit(data: Any, title: str = "netallow.apple reachability", host: str = "localhost",
             result: str | None = None, deployed: Any = None) -> str:
    """The JUnit report as one string: :func:`iter_junit`, joined."""
    return "".join(iter_junit(data, title=title, host=host, result=result, deployed=deployed))


def iter_junit(data: Any, title: str = "netallow.apple reachability", host: str = "localhost",
               result: str | None = None, deployed: Any = None):
    """One <testsuite> per host, one <testcase> per target; failures carry the status as type and the detail.

    The document follows the JUnit schema that Jenkins, GitLab and GitHub test reporters read (junit-10.xsd).
    Yields it in pieces, one host's suite at a time (a fleet's report holds every check of every host): the totals
    of the opening element come from a first pass that only counts.
    With ``deployed``, each host's suite has one more case, its deployed allow-list: failed when out of date.
    """
    runs, without = collect_runs(data, host, result)
    drift = collect_drift(deployed, data, host, result)
    ran = {hostname for hostname, _results in runs}
    runs = sorted(runs + [(name, []) for name in drift if name not in ran], key=lambda pair: pair[0])
    drift_cases = {name: _drift_case(name, entry) for name, entry in drift.items()}
    grand_tests = grand_failures = grand_ms = 0
    for hostname, results in runs:
        for item in results:
            grand_tests += 1
            grand_ms += _millis(item)
            if item["status"] in FAILED:
                grand_failures += 1
        if hostname in drift_cases:
            grand_tests += 1
            grand_failures += drift_cases[hostname][1]
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    if without:
        # A comment cannot hold "--": host names are free text.
        yield "<!-- " + _xml_body(without_sentence(without, limit=len(without))).replace("--", "- -") + " -->\n"
    head = (f'<testsuites name="{_xml_escape(str(title))}" tests="{grand_tests}" failures="{grand_failures}" '
            f'errors="0" time="{grand_ms / 1000:.3f}"')
    if not runs:
        yield head + " />\n"
        return
    yield head + ">\n"
    # A fleet repeats the same targets with the same outcomes on every host: each distinct case is written once per
    # report, in three parts around the host's name and the seconds.
    parts_of: dict = {}
    seconds_of: dict = {}
    for hostname, results in runs:
        failures = skipped = 0
        elapsed = 0
        name = _xml_escape(str(hostname))
        rows = []
        for item in results:
            try:
                key = _case_key(item)
                parts = parts_of.get(key)
            except TypeError:  # an unhashable value in a hand-made result
                key, parts = None, None
            if parts is None:
                parts = _junit_case_parts(item)
                if key is not None:
                    parts_of[key] = parts
            ms = item.get("elapsed_ms")
            try:
                seconds = seconds_of[ms]
            except (KeyError, TypeError):
                millis = _millis(item)
                seconds = (f"{millis / 1000:.3f}", millis)
                if isinstance(ms, (int, float, str)):
                    seconds_of[ms] = seconds
            rows.append((parts[0], parts, seconds))
        rows.sort(key=_first)
        cases = []
        for _order, (_key, kind, before, between, after), (text, value) in rows:
            elapsed += value
            if kind == "failed":
                failures += 1
            elif kind == "skipped":
                skipped += 1
            cases.append(f"{before}{name}{between}{text}{after}")
        tests = len(rows)
        if hostname in drift_cases:
            case, failed, was_skipped = drift_cases[hostname]
            cases.append(case)
            tests += 1
            failures += failed
            skipped += was_skipped
        yield (f'  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="0" '
               f'skipped="{skipped}" time="{elapsed / 1000:.3f}" hostname="{name}"'
               + (">\n" + "\n".join(cases) + "\n  </testsuite>\n" if cases else " />\n"))
    yield "</testsuites>\n"


def _case_text(result: Mapping) -> str:
    lines = [f"status: {result['status']}", f"stage: {result.get('stage') or '-'}"]
    if result.get("addresses"):
        owner = result.get("address_owner")
        lines.append(f"addresses: {', '.join(map(str, result['addresses']))}" + (f" ({owner})" if owner else ""))
    for key in ("proxy", "issuer", "detail"):
        if result.get(key):
            lines.append(f"{key}: {result[key]}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ Apple services
# What a person reads first: per Apple service, does it work from each host, and if not, why, in one sentence.

# (key, label, catalog services, catalog sections, other names a hand-written target id may use). A result belongs to
# the first group naming its catalog service, else to the first naming its section, else to its section's title.
SERVICE_GROUPS = (
    ("activation", "Activation and device setup", ("activation", "setup_support", "personalization", "esim",
                                                   "captive_portal"), ("devicesetup",), ()),
    ("time", "Time (NTP)", ("ntp",), (), ("ntp", "time")),
    ("push", "Push notifications (APNs)", ("apns", "apns_legacy", "apns_certificates"), (), ("push",)),
    ("enrollment", "Device enrollment and MDM", ("enrollment", "mdm_enrollment", "enrollment_profiles", "mdm",
                                                 "scep", "service_discovery", "attestation", "activation_lock",
                                                 "shared_ipad", "managed_updates"),
     ("devicemanagement", "businessessentials"), ("mdm", "mdmenrollment")),
    ("updates", "Software updates", ("os_updates", "update_catalog", "update_support", "recovery", "downloads",
                                     "additional_components", "attached_device", "rosetta"),
     ("software", "carrier", "beta"), ("software", "updates")),
    ("apps", "App Store and apps", ("store", "store_assets", "itunes_store", "itunes_media", "apps_books",
                                    "enterprise_apps", "app_attest", "notarization"), ("appscontent",),
     ("appstore", "apps")),
    ("icloud", "iCloud", (), ("icloud",), ()),
    ("account", "Apple Account", ("sign_in", "authentication"), ("appleaccount",), ("appleid",)),
    ("certificates", "Certificates (CRL and OCSP)", ("certificates", "apple_pki", "digicert", "entrust"),
     ("certificates",), ("ocsp", "crl")),
    ("managers", "Apple Business Manager and Apple School Manager", (), ("businessschool", "businessschoolusers"),
     ()),
    ("classroom", "Classroom and Schoolwork", (), ("classroom",), ()),
)
_GROUP_BY_SERVICE = {}
_GROUP_BY_SECTION = {}
_GROUP_BY_ALIAS = {}
for group_key, group_label, group_services, group_sections, group_aliases in SERVICE_GROUPS:
    for group_name in group_services:
        _GROUP_BY_SERVICE.setdefault(group_name, (group_key, group_label))
    for group_name in group_sections:
        _GROUP_BY_SECTION.setdefault(group_name, (group_key, group_label))
    for group_name in (group_key, *group_aliases):
        _GROUP_BY_ALIAS.setdefault(group_name, (group_key, group_label))
_GROUP_ORDER = {group[0]: index for index, group in enumerate(SERVICE_GROUPS)}
OTHER_GROUP = ("other", "Other targets")


def service_group(result: Mapping, catalog_index: Mapping | None = None) -> tuple[str, str]:
    """``(key, label)`` of the Apple service a result belongs to.

    ``catalog_index`` maps catalog entry ids to ``(section, service, section title)``; results of explicit targets
    (ids that are not catalog ids) are grouped by their id or, failing that, its first dotted part.
    """
    ident = str(result.get("id") or "")
    known = (catalog_index or {}).get(ident)
    if known:
        section, service, title = known
        return _GROUP_BY_SERVICE.get(service) or _GROUP_BY_SECTION.get(section) or (section, str(title or section))
    head = ident.split(".", 1)[0].lower()
    return (_GROUP_BY_ALIAS.get(ident.lower()) or _GROUP_BY_SECTION.get(head) or _GROUP_BY_ALIAS.get(head)
            or OTHER_GROUP)


def _issuer_name(issuer: Any) -> str:
    """The issuer's common name when the issuer is a distinguished name, else the text as given."""
    text = str(issuer or "").strip()
    match = re.search(r"(?:^|[,/])\s*CN\s*=\s*([^,/]+)", text)
    return match.group(1).strip() if match else text


def _proxy_name(proxy: Any) -> str:
    # The proxy URL may carry credentials (user:password@); a report names the proxy host and port only.
    text = str(proxy or "").strip()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    return text.rsplit("@", 1)[-1].split("/", 1)[0] or "the proxy"


def cause(result: Mapping) -> str:
    """Why a failed result failed, in one clause a person can act on; empty for ok and skipped results."""
    status = result["status"]
    probe = str(result.get("probe") or result["host"])
    proto = str(result["protocol"]).upper()
    where = f"{proto} {result['port']}"
    stage = result.get("stage")
    if status == "intercepted":
        issuer = _issuer_name(result.get("issuer"))
        return f'TLS to {probe} intercepted by "{issuer}"' if issuer else f"TLS to {probe} intercepted"
    if status == "tls_failed":
        return f"TLS to {probe} on {where} fails (certificate or handshake rejected)"
    if status == "proxy_denied":
        return f"proxy {_proxy_name(result.get('proxy'))} refuses CONNECT to {probe}:{result['port']}"
    if status == "dns_failed":
        if stage == "proxy":
            return f"{probe} does not resolve at proxy {_proxy_name(result.get('proxy'))}"
        return f"{probe} does not resolve"
    if status == "refused":
        if stage == "proxy":
            return f"proxy {_proxy_name(result.get('proxy'))} is unreachable or refuses connections"
        return f"{where} to {probe} refused"
    if status == "unreachable":
        return f"no route to {probe} on {where}"
    if status == "timeout":
        return f"no answer from {probe} on {where}" + (f" at the {stage} stage" if stage else "")
    if status == "service_failed":
        return f"{probe} answers on {where}, but not as Apple's service"
    return ""


def _failed_state(failed: list, any_ok: bool) -> tuple[str, Mapping | None]:
    """``(state, worst failed result)`` of one service on one host - works, blocked, degraded or unchecked - from
    its failed results and whether any of its results was ok."""
    if failed:
        required = [r for r in failed if r.get("required", True)]
        worst = min(required or failed, key=lambda r: (_status_rank(r["status"]), target_label(r)))
        return ("blocked" if required else "degraded"), worst
    if any_ok:
        return "works", None
    return "unchecked", None


STATE_ORDER = ("blocked", "degraded", "works", "unchecked")
STATE_COLOURS = {"blocked": STATUS_COLOURS["tls_failed"], "degraded": STATUS_COLOURS["service_failed"],
                 "works": STATUS_COLOURS["ok"], "unchecked": STATUS_COLOURS["skipped"]}


def service_view(runs: list, catalog_index: Mapping | None = None) -> dict:
    """Per host, per Apple service: state and one sentence; per service, counts and the causes across hosts.

    Returns ``{"services": [...], "hosts": {hostname: [...]}, "groups": [...]}``: ``services`` in the order of
    :data:`SERVICE_GROUPS` (others by label) with ``works``/``blocked``/``degraded``/``unchecked`` host counts and
    ``causes`` (sentence, hosts) most common first; ``hosts`` the failing services of each host as sentences;
    ``groups`` the fleet view: hosts that fail the same way, largest group first.
    """
    services: dict = {}
    per_host: dict = {}
    groups_by_id: dict = {}
    for hostname, results in runs:
        # Per service: the failed results (or the state when none failed): one pass over the host's results.
        grouped: dict = {}
        for result in results:
            ident = result.get("id")
            try:
                group = groups_by_id.get(ident)
            except TypeError:  # an unhashable id in a hand-made result
                group = service_group(result, catalog_index)
            if group is None:
                group = groups_by_id[ident] = service_group(result, catalog_index)
            status = result["status"]
            members = grouped.get(group)
            if members is None:
                members = grouped[group] = [False, []]
            if status in FAILED:
                members[1].append(result)
            elif status == "ok":
                members[0] = True
        sentences = []
        for (key, label), (any_ok, failed) in grouped.items():
            state, worst = _failed_state(failed, any_ok)
            entry = services.setdefault(key, {"key": key, "label": label, "works": 0, "blocked": 0, "degraded": 0,
                                              "unchecked": 0, "causes": {}})
            entry[state] += 1
            if worst is not None:
                why = cause(worst)
                entry["causes"].setdefault(why, []).append(hostname)
                sentences.append({"service": label, "key": key, "state": state, "cause": why,
                                  "status": worst["status"], "sentence": f"{label}: {state}: {why}"})
        sentences.sort(key=lambda s: (STATE_ORDER.index(s["state"]), _GROUP_ORDER.get(s["key"], 99), s["service"]))
        per_host[hostname] = sentences
    ordered = sorted(services.values(), key=lambda s: (_GROUP_ORDER.get(s["key"], 99), s["label"]))
    for entry in ordered:
        entry["causes"] = sorted(((why, hosts) for why, hosts in entry["causes"].items()),
                                 key=lambda item: (-len(item[1]), item[0]))
    groups: dict = {}
    checked_hosts = {hostname for hostname, results in runs if results}
    for hostname, sentences in per_host.items():
        signature = (hostname in checked_hosts, tuple(s["sentence"] for s in sentences))
        groups.setdefault(signature, []).append(hostname)
    # Failing groups first (largest first), then hosts where everything works, then hosts that ran no check.
    fleet = sorted(({"sentences": list(sentences), "checked": checked, "hosts": hosts}
                    for (checked, sentences), hosts in groups.items()),
                   key=lambda g: (not g["checked"], not g["sentences"], -len(g["hosts"]), g["sentences"]))
    return {"services": ordered, "hosts": per_host, "groups": fleet}


def _service_line(entry: Mapping, host_count: int) -> tuple[str, str]:
    """``(state, sentence)`` for one service across all hosts."""
    label = entry["label"]
    checked = host_count - entry["unchecked"]
    if entry["blocked"] or entry["degraded"]:
        state = "blocked" if entry["blocked"] else "degraded"
        why, hosts = entry["causes"][0]
        if host_count == 1:
            return state, f"{label}: {state}: {why}"
        failing = entry["blocked"] + entry["degraded"]
        more = len(entry["causes"]) - 1
        extra = f"; {more} other cause(s)" if more else ""
        return state, (f"{label}: {state} on {failing} of {host_count} hosts: {why} ({len(hosts)} hosts{extra})")
    if not checked:
        return "unchecked", f"{label}: not checked (every target skipped)"
    if host_count == 1:
        where = ""
    elif checked == host_count:
        where = f" from all {host_count} hosts"
    else:
        where = f" from {checked} hosts (not checked on {host_count - checked})"
    return "works", f"{label}: works{where}"


# ------------------------------------------------------------------------------------------------ Markdown


def _md(value: Any) -> str:
    """One table cell: control characters (a lone CR too) become spaces; link, image and code syntax is escaped."""
    text = str(value if value is not None else "")
    if not text.isprintable():
        text = "".join(char if char.isprintable() else " " for char in text)
    for char in "\\|[]!`":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;")


def _verdict(totals: Mapping) -> str | None:
    """A plain sentence for the cases a reader must not miss."""
    if totals["results"] and not totals["ok"] and totals["failed"]:
        dns = totals["by_status"].get("dns_failed", 0)
        if dns == totals["failed"]:
            return ("No target was reached and every probed name failed to resolve: these hosts have no working "
                    "DNS for Apple's names (no internet access, or DNS filtering).")
        return "No target was reached from any host."
    if totals["by_status"].get("intercepted"):
        return (f"{totals['by_status']['intercepted']} check(s) saw TLS interception: Apple's services refuse "
                "intercepted connections (pinned certificates); exempt Apple's hosts from TLS inspection.")
    return None


def _totals_sentence(totals: Mapping, bold: bool = False) -> str:
    mark = "**" if bold else ""
    return (f"{totals['hosts']} host(s), {totals['results']} checks: {mark}{totals['ok']} ok{mark}, "
            f"{mark}{totals['failed']} failed{mark}, {totals['skipped']} skipped. "
            f"{totals['hosts_all_ok']} host(s) reach every target; {totals['hosts_with_failures']} do not.")


def _group_fallback(group: Mapping) -> str:
    return "every checked service works" if group["checked"] else "no check ran (the task was skipped or failed)"


# Above this many hosts the detailed per-host tables keep only failed checks (the JUnit file has every check).
FULL_DETAIL_HOSTS = 50


def to_markdown(data: Any, title: str = "Apple services reachability", host: str = "localhost",
                max_failing_hosts: int = 10, catalog_index: Mapping | None = None, result: str | None = None,
                deployed: Any = None) -> str:
    """The Markdown report as one string: :func:`iter_markdown`, joined."""
    return "".join(iter_markdown(data, title=title, host=host, max_failing_hosts=max_failing_hosts,
                                 catalog_index=catalog_index, result=result, deployed=deployed))


def iter_markdown(data: Any, title: str = "Apple services reachability", host: str = "localhost",
                  max_failing_hosts: int = 10, catalog_index: Mapping | None = None, result: str | None = None,
                  deployed: Any = None):
    """:func:`_markdown_lines` as text, line by line; blank lines at the end are left out."""
    blank = 0
    for line in _markdown_lines(data, title, host, max_failing_hosts, catalog_index, result, deployed):
        if line:
            yield "\n" * blank + line + "\n"
            blank = 0
        else:
            blank += 1


def _markdown_lines(data: Any, title: str, host: str, max_failing_hosts: int, catalog_index: Mapping | None,
                    result: str | None, deployed: Any):
    """Apple services first (works or not, and why, in one sentence), the fleet view and the per-host view, what
    each host runs (with ``deployed``), then the totals, targets across hosts and each host's failed checks."""
    runs, without = collect_runs(data, host, result)
    drift = collect_drift(deployed, data, host, result)
    summary = summarize_runs(runs)
    totals = summary["totals"]
    view = service_view(runs, catalog_index)
    yield from [f"# {_md(title)}", "", _totals_sentence(totals, bold=True)]
    if without:
        yield from ["", f"_{_md(without_sentence(without))}_ (they did not run the check)."]
    if drift:
        yield from ["", _md(drift_counts(drift))]
    verdict = _verdict(totals)
    if verdict:
        yield from ["", f"**{verdict}**"]
    yield from ["", "## Apple services", ""]
    for entry in view["services"]:
        state, sentence = _service_line(entry, totals["hosts"])
        yield f"- {'**' + _md(sentence) + '**' if state in ('blocked', 'degraded') else _md(sentence)}"
        for why, hosts in entry["causes"][1:4]:
            yield f"  - also: {_md(why)} ({len(hosts)} host(s))"
    if not view["services"]:
        yield "No checks."
    if totals["hosts"] > 1:
        yield from ["", "## Hosts that fail the same way", "", "| hosts | how they fail | examples |", "|---:|---|---|"]
        for group in view["groups"]:
            how = "<br>".join(_md(s) for s in group["sentences"]) or _group_fallback(group)
            shown = ", ".join(group["hosts"][:max_failing_hosts])
            if len(group["hosts"]) > max_failing_hosts:
                shown += f" (+{len(group['hosts']) - max_failing_hosts})"
            yield f"| {len(group['hosts'])} | {how} | {_md(shown)} |"
    yield from ["", "## Hosts", ""]
    failing_hosts = [(name, sentences) for name, sentences in view["hosts"].items() if sentences]
    if failing_hosts:
        yield from ["| host | what breaks |", "|---|---|"]
        for name, sentences in failing_hosts:
            yield f"| {_md(name)} | {'<br>'.join(_md(s['sentence']) for s in sentences)} |"
    else:
        yield "Every checked service works from every host."
    if drift:
        yield from ["", "## What each host runs", "",
                    "| host | state | found (catalog, selection) | current (catalog, selection) | added since | "
                    "removed since |", "|---|---|---|---|---|---|"]
        for name, entry in sorted(drift.items(), key=lambda item: (DRIFT_STATES.index(item[1]["state"]), item[0])):
            found = ", ".join(entry["versions"]) + (" / " + ", ".join(entry["digests"]) if entry["digests"] else "")
            current = (f"{entry['current_version']} / {entry['current_digest']}" if entry["current_digest"]
                       else "-")
            state = f"**{entry['state']}**" if entry["state"] == "out of date" else entry["state"]
            yield (f"| {_md(name)} | {state} | {_md(found) or '-'} | {_md(current)} | "
                   f"{_md(', '.join(entry['added'])) or '-'} | {_md(', '.join(entry['removed'])) or '-'} |")
    yield from ["", "## Checks by status", "", "| status | count |", "|---|---:|"]
    for status in STATUS_ORDER:
        if totals["by_status"].get(status):
            yield f"| {status} | {totals['by_status'][status]} |"
    yield from ["", "## Targets across hosts", "", "| target | required | hosts reaching | statuses | failing hosts |",
                "|---|---|---:|---|---|"]
    for target in summary["targets"]:
        by_rank = sorted(target["by_status"].items(), key=lambda item: _status_rank(item[0]))
        statuses = ", ".join(f"{status} {count}" for status, count in by_rank)
        failing = target["failing_hosts"]
        shown = ", ".join(failing[:max_failing_hosts])
        if len(failing) > max_failing_hosts:
            shown += f" (+{len(failing) - max_failing_hosts})"
        yield (f"| {_md(target['target'])} | {'yes' if target['required'] else 'no'} | "
               f"{target['hosts_ok']}/{target['hosts']} | {_md(statuses)} | {_md(shown) or '-'} |")
    yield from ["", "## Failures per host", ""]
    any_failure = False
    for hostname, results in runs:
        failed = _sorted_results([r for r in results if r["status"] in FAILED])
        if not failed:
            continue
        any_failure = True
        yield from [f"### {_md(hostname)}", "", "| target | status | stage | detail |", "|---|---|---|---|"]
        for result in failed:
            detail = result.get("detail") or ""
            if result.get("issuer") and result["status"] == "intercepted":
                detail = f"issuer: {result['issuer']}; {detail}"
            yield (f"| {_md(target_label(result))} | **{result['status']}** | {_md(result.get('stage') or '-')}"
                   f" | {_md(detail)} |")
        yield ""
    if not any_failure:
        yield from ["No failures.", ""]


# ------------------------------------------------------------------------------------------------ HTML


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1d1d1f}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:20px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px;font-size:13px}
th,td{border:1px solid #d2d2d7;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f7}td.num{text-align:right}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-weight:600;font-size:12px}
.lead{font-size:14px}.muted{color:#6e6e73}ul.services{font-size:14px;padding-left:18px}
ul.services li{margin:3px 0}ul.plain{margin:0;padding-left:16px}
form{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end;margin:12px 0;padding:10px;background:#f5f5f7;
border-radius:8px;position:sticky;top:0}
label{display:flex;flex-direction:column;font-size:12px;color:#424245}input,select{font-size:13px;padding:3px}
section.host{content-visibility:auto;contain-intrinsic-size:auto 240px}
""".strip()

# Filters the per-host view and the detailed tables by host name and status; runs in the page, nothing loaded.
_SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var hostRows = Array.prototype.slice.call(document.querySelectorAll("#hosts tbody tr"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.host"));
  var count = document.getElementById("count");
  function matches(d, q, st) {
    if (q && d.host.toLowerCase().indexOf(q) < 0) { return false; }
    if (st === "failing") { return d.failing === "1"; }
    if (st === "ok") { return d.failing === "0"; }
    return !st || (" " + d.statuses + " ").indexOf(" " + st + " ") >= 0;
  }
  function apply() {
    var q = document.getElementById("f-host").value.trim().toLowerCase();
    var st = document.getElementById("f-status").value;
    var shown = 0;
    hostRows.forEach(function (row) {
      var ok = matches(row.dataset, q, st);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    sections.forEach(function (section) {
      var ok = matches(section.dataset, q, st);
      section.hidden = !ok;
      if (!ok) { return; }
      section.querySelectorAll("tr[data-status]").forEach(function (row) {
        var s = row.dataset.status;
        row.hidden = st === "failing" ? (s === "ok" || s === "skipped") : (st && st !== "ok" ? s !== st : false);
      });
    });
    count.textContent = shown + " of " + hostRows.length + " hosts shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
}());
""".strip()


def _badge(status: str) -> str:
    bg, fg = STATUS_COLOURS.get(status) or STATE_COLOURS.get(status) or ("#ffffff", "#000000")
    return f'<span class="badge" style="background:{bg};color:{fg}">{html.escape(status)}</span>'


def _row_style(status: str) -> str:
    bg, _fg = STATUS_COLOURS.get(status) or STATE_COLOURS.get(status) or ("#ffffff", "#000000")
    return f' style="background:{bg}"'


def _host_anchor(hostname: str) -> str:
    return "host-" + html.escape(hostname, quote=True)


def to_html(data: Any, title: str = "Apple services reachability", host: str = "localhost",
            catalog_index: Mapping | None = None, max_listed_hosts: int = 20, result: str | None = None,
            deployed: Any = None) -> str:
    """The HTML report as one string: :func:`iter_html`, joined."""
    return "".join(iter_html(data, title=title, host=host, catalog_index=catalog_index,
                             max_listed_hosts=max_listed_hosts, result=result, deployed=deployed))


def iter_html(data: Any, title: str = "Apple services reachability", host: str = "localhost",
              catalog_index: Mapping | None = None, max_listed_hosts: int = 20, result: str | None = None,
              deployed: Any = None):
    """:func:`_html_parts`, one line at a time."""
    for part in _html_parts(data, title, host, catalog_index, max_listed_hosts, result, deployed):
        yield part + "\n"


def _html_parts(data: Any, title: str, host: str, catalog_index: Mapping | None, max_listed_hosts: int,
                result: str | None, deployed: Any):
    """A self-contained HTML page (inline style and script, nothing loaded from elsewhere): Apple services and
    why they fail, hosts that fail the same way, a per-host view with filters by host and status, targets across
    hosts, then each host's checks (failures first, coloured by status). With ``deployed``: what each host runs."""
    runs, without = collect_runs(data, host, result)
    drift = collect_drift(deployed, data, host, result)
    summary = summarize_runs(runs)
    totals = summary["totals"]
    view = service_view(runs, catalog_index)
    esc = html.escape
    yield from [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{esc(_totals_sentence(totals))}</p>',
    ]
    if without:
        yield (f'<p class="lead" id="without-results">{esc(without_sentence(without))} (they did not run the '
               "check).</p>")
    if drift:
        yield f'<p class="lead"><a href="#deployed">{esc(drift_counts(drift))}</a></p>'
    verdict = _verdict(totals)
    if verdict:
        yield f'<p class="lead"><strong>{esc(verdict)}</strong></p>'

    yield '<h2 id="services">Apple services</h2><ul class="services">'
    for entry in view["services"]:
        state, sentence = _service_line(entry, totals["hosts"])
        others = "".join(f"<li>also: {esc(why)} ({len(hosts)} host(s))</li>" for why, hosts in entry["causes"][1:4])
        yield (f'<li data-state="{state}">{_badge(state)} {esc(sentence)}'
               + (f'<ul class="plain">{others}</ul>' if others else "") + "</li>")
    if not view["services"]:
        yield "<li>No checks.</li>"
    yield "</ul>"

    if totals["hosts"] > 1:
        yield '<h2 id="fleet">Hosts that fail the same way</h2>'
        yield "<table><thead><tr><th>hosts</th><th>how they fail</th><th>which hosts</th></tr></thead><tbody>"
        for group in view["groups"]:
            how = ("".join(f"<li>{esc(s)}</li>" for s in group["sentences"])
                   or f"<li>{esc(_group_fallback(group))}</li>")
            names = group["hosts"]
            listed = ", ".join(esc(n) for n in names[:max_listed_hosts])
            rest = ""
            if len(names) > max_listed_hosts:
                rest = (f"<details><summary>{len(names) - max_listed_hosts} more</summary>"
                        + ", ".join(esc(n) for n in names[max_listed_hosts:]) + "</details>")
            yield (f'<tr><td class="num">{len(names)}</td><td><ul class="plain">{how}</ul></td>'
                   f"<td>{listed}{rest}</td></tr>")
        yield "</tbody></table>"

    statuses_present = [s for s in STATUS_ORDER if totals["by_status"].get(s)]
    options = "".join(f'<option value="{s}">{s}</option>' for s in statuses_present)
    yield '<h2 id="per-host">Hosts</h2>'
    yield ('<form id="filters" role="search"><label for="f-host">Host'
           '<input type="search" id="f-host" placeholder="host name" autocomplete="off"></label>'
           '<label for="f-status">Status<select id="f-status"><option value="">all</option>'
           f'<option value="failing">any failure</option><option value="ok">no failure</option>{options}'
           '</select></label>'
           f'<output id="count" class="muted">{len(runs)} of {len(runs)} hosts shown</output></form>')
    yield '<table id="hosts"><thead><tr><th>host</th><th>checks</th><th>what breaks</th></tr></thead><tbody>'
    # Per host, once: how many checks failed and which statuses it has (both tables below use them).
    counted = []
    for hostname, results in runs:
        present = {r["status"] for r in results}
        failed = sum(1 for r in results if r["status"] in FAILED) if not present.isdisjoint(FAILED) else 0
        counted.append((hostname, results, failed, " ".join(sorted({str(status) for status in present}))))
    host_order = sorted(counted, key=lambda run: (not run[2], run[0]))
    for hostname, results, failed, statuses in host_order:
        sentences = view["hosts"].get(hostname) or []
        breaks = ("".join(f"<li>{esc(s['sentence'])}</li>" for s in sentences) if sentences
                  else "<li>nothing: every checked service works</li>")
        worst = "blocked" if any(s["state"] == "blocked" for s in sentences) else \
            ("degraded" if sentences else "works")
        yield (f'<tr data-host="{esc(hostname)}" data-statuses="{esc(statuses)}" '
               f'data-failing="{1 if failed else 0}"{_row_style(worst)}>'
               f'<td><a href="#{_host_anchor(hostname)}">{esc(hostname)}</a></td>'
               f'<td class="num">{failed} failed of {len(results)}</td>'
               f'<td><ul class="plain">{breaks}</ul></td></tr>')
    yield "</tbody></table>"

    if drift:
        yield '<h2 id="deployed">What each host runs</h2>'
        yield ("<table><thead><tr><th>host</th><th>state</th><th>found (catalog, selection)</th>"
               "<th>current (catalog, selection)</th><th>added since</th><th>removed since</th>"
               "</tr></thead><tbody>")
        for name, entry in sorted(drift.items(), key=lambda item: (DRIFT_STATES.index(item[1]["state"]), item[0])):
            found = ", ".join(entry["versions"]) + (" / " + ", ".join(entry["digests"]) if entry["digests"] else "")
            current = (f"{entry['current_version']} / {entry['current_digest']}" if entry["current_digest"]
                       else "-")
            bg, fg = DRIFT_COLOURS[entry["state"]]
            yield (f'<tr data-host="{esc(name)}" data-drift="{esc(entry["state"])}"><td>{esc(name)}</td>'
                   f'<td><span class="badge" style="background:{bg};color:{fg}">{esc(entry["state"])}</span></td>'
                   f"<td>{esc(found) or '-'}</td><td>{esc(current)}</td>"
                   f"<td>{esc(', '.join(entry['added'])) or '-'}</td>"
                   f"<td>{esc(', '.join(entry['removed'])) or '-'}</td></tr>")
        yield "</tbody></table>"

    yield '<h2 id="status-counts">Checks by status</h2>'
    yield "<table><tr><th>status</th><th>count</th></tr>"
    for status in statuses_present:
        yield f"<tr><td>{_badge(status)}</td><td class=\"num\">{totals['by_status'][status]}</td></tr>"
    yield "</table>"
    yield '<h2 id="targets">Targets across hosts</h2>'
    yield "<table><tr><th>target</th><th>required</th><th>hosts reaching</th><th>statuses</th></tr>"
    for target in summary["targets"]:
        worst = min(target["by_status"], key=_status_rank)
        by_rank = sorted(target["by_status"].items(), key=lambda item: _status_rank(item[0]))
        statuses = " ".join(f"{_badge(status)} {count}" for status, count in by_rank)
        yield (f"<tr{_row_style(worst)}><td>{esc(target['target'])}</td>"
               f"<td>{'yes' if target['required'] else 'no'}</td>"
               f"<td class=\"num\">{target['hosts_ok']}/{target['hosts']}</td><td>{statuses}</td></tr>")
    yield "</table>"

    full = totals["hosts"] <= FULL_DETAIL_HOSTS
    yield '<h2 id="details">Checks per host</h2>'
    if not full:
        yield (f'<p class="muted">{totals["hosts"]} hosts: only hosts with failures and their failed checks are '
               "listed here; the JUnit report has every check.</p>")
    for hostname, results, failed, statuses in host_order:
        if not full and not failed:
            continue
        yield (f'<section class="host" data-host="{esc(hostname)}" data-statuses="{esc(statuses)}" '
               f'data-failing="{1 if failed else 0}">')
        yield (f'<h3 id="{_host_anchor(hostname)}">{esc(hostname)} <span class="muted">'
               f"({len(results) - failed}/{len(results)} not failing)</span></h3>")
        yield ("<table><tr><th>target</th><th>status</th><th>stage</th><th>addresses</th>"
               "<th>issuer</th><th>ms</th><th>detail</th></tr>")
        for result in _sorted_results(results):
            if not full and result["status"] not in FAILED:
                continue
            addresses = ", ".join(map(str, result.get("addresses") or []))
            if addresses and result.get("address_owner"):
                addresses += f" ({result['address_owner']})"
            yield (
                f"<tr data-status=\"{esc(str(result['status']))}\"{_row_style(result['status'])}>"
                f"<td>{esc(target_label(result))}</td>"
                f"<td>{_badge(result['status'])}</td><td>{esc(str(result.get('stage') or '-'))}</td>"
                f"<td>{esc(addresses)}</td><td>{esc(str(result.get('issuer') or ''))}</td>"
                f"<td class=\"num\">{esc(str(result.get('elapsed_ms', '')))}</td>"
                f"<td>{esc(str(result.get('detail') or ''))}</td></tr>"
            )
        yield "</table></section>"
    yield f"<script>{_SCRIPT}</script>"
    yield "</body></html>"

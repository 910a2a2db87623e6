# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reachability results of one or many hosts -> JUnit XML, Markdown and a single-file HTML report.

Pure functions over plain data. Input is normalised first (:func:`normalize_runs`) so that every renderer sees
the same shape: a list of ``(hostname, results)`` pairs sorted by hostname, whatever the play's strategy or forks
did to the order in which hosts finished.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any, Mapping

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
FAILED = frozenset(STATUS_ORDER) - {"ok", "skipped"}
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


def _xml_text(value: Any) -> str:
    return _XML_INVALID.sub("\ufffd", str(value))


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
    checked = []
    for index, item in enumerate(results):
        if not isinstance(item, Mapping):
            raise ReportError(f"{where}[{index}]: expected a result dict, got {type(item).__name__}")
        missing = [key for key in REQUIRED_RESULT_KEYS if key not in item]
        if missing:
            raise ReportError(f"{where}[{index}]: missing keys {', '.join(missing)} (results of "
                              "netallow.apple.reachability have host, port, protocol, status, ...)")
        checked.append(dict(item))
    return checked


def _results_of(value: Any, where: str) -> list:
    """Results of one host: a module result (dict with 'results'), or the list itself."""
    if isinstance(value, Mapping):
        if "results" not in value:
            if value.get("skipped"):
                return []
            raise ReportError(f"{where}: a module result needs a 'results' list (keys found: "
                              f"{', '.join(sorted(map(str, value))) or 'none'})")
        return _check_results(value["results"], f"{where}.results")
    return _check_results(value, where)


def normalize_runs(data: Any, host: str = "localhost") -> list:
    """Accept the shapes a play produces and return ``[(hostname, [result, ...]), ...]`` sorted by hostname.

    - one module result (``{'results': [...], 'summary': ...}``) or a bare results list: one host named ``host``;
    - a mapping of hostname to module result (or to a results list), as built from ``hostvars``;
    - a list of ``{'host'|'inventory_hostname': name, 'results': [...]}`` items.
    """
    if isinstance(data, Mapping) and "results" in data and isinstance(data.get("results"), (list, tuple)):
        return [(str(host), _results_of(data, str(host)))]
    if isinstance(data, Mapping):
        return sorted(((str(name), _results_of(value, str(name))) for name, value in data.items()),
                      key=lambda pair: pair[0])
    if isinstance(data, (list, tuple)):
        if all(isinstance(i, Mapping) and "status" in i for i in data):
            return [(str(host), _check_results(data, str(host)))]
        runs = []
        for index, item in enumerate(data):
            if not isinstance(item, Mapping):
                raise ReportError(f"[{index}]: expected a mapping, got {type(item).__name__}")
            name = item.get("inventory_hostname", item.get("hostname"))
            if name is None:
                raise ReportError(f"[{index}]: a per-host item needs 'inventory_hostname' (or 'hostname') and "
                                  "'results'")
            runs.append((str(name), _results_of(item, str(name))))
        return sorted(runs, key=lambda pair: pair[0])
    raise ReportError(f"expected reachability results (a module result, a mapping of host to result, or a list), "
                      f"got {type(data).__name__}")


def target_label(result: Mapping) -> str:
    host = str(result["host"])
    probe = result.get("probe")
    name = f"{host} ({probe})" if probe and probe != host else host
    return f"{name} {result['protocol']}/{result['port']}"


def summarize_runs(runs: list) -> dict:
    """Totals over all hosts and, per target, how many hosts reach it and with which statuses."""
    totals: dict = {"hosts": len(runs), "results": 0, "ok": 0, "failed": 0, "skipped": 0, "by_status": {},
                    "hosts_all_ok": 0, "hosts_with_failures": 0}
    targets: dict = {}
    for hostname, results in runs:
        host_failed = False
        for result in results:
            status = result["status"]
            totals["results"] += 1
            totals["by_status"][status] = totals["by_status"].get(status, 0) + 1
            if status == "ok":
                totals["ok"] += 1
            elif status == "skipped":
                totals["skipped"] += 1
            else:
                totals["failed"] += 1
                host_failed = True
            key = (str(result["host"]), result.get("probe") or str(result["host"]), str(result["protocol"]),
                   str(result["port"]))
            entry = targets.setdefault(key, {
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
            })
            entry["hosts"] += 1
            entry["by_status"][status] = entry["by_status"].get(status, 0) + 1
            if status == "ok":
                entry["hosts_ok"] += 1
            elif status != "skipped":
                entry["failing_hosts"].append(hostname)
        if host_failed:
            totals["hosts_with_failures"] += 1
        elif results:
            totals["hosts_all_ok"] += 1
    # Most failing hosts first; targets that fail nowhere follow in name order.
    ordered = sorted(targets.values(), key=lambda t: (-len(t["failing_hosts"]), t["target"]))
    return {"totals": totals, "targets": ordered}


def _sorted_results(results: list) -> list:
    """Failures first (worst kind first), then skipped, then ok; stable by target within a status."""
    return sorted(results, key=lambda r: (_status_rank(r["status"]), target_label(r)))


def _seconds(result: Mapping) -> str:
    try:
        return f"{max(0, int(result.get('elapsed_ms') or 0)) / 1000:.3f}"
    except (TypeError, ValueError):
        return "0.000"


# ------------------------------------------------------------------------------------------------ JUnit


def to_junit(data: Any, title: str = "netallow.apple reachability", host: str = "localhost") -> str:
    """One <testsuite> per host, one <testcase> per target; failures carry the status as type and the detail.

    The document follows the JUnit schema that Jenkins, GitLab and GitHub test reporters read (junit-10.xsd).
    """
    runs = normalize_runs(data, host)
    root = ET.Element("testsuites", {"name": _xml_text(title)})
    grand = {"tests": 0, "failures": 0, "time": 0.0}
    for hostname, results in runs:
        failures = sum(1 for r in results if r["status"] in FAILED)
        skipped = sum(1 for r in results if r["status"] == "skipped")
        elapsed = sum(float(_seconds(r)) for r in results)
        suite = ET.SubElement(root, "testsuite", {
            "name": _xml_text(hostname),
            "tests": str(len(results)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": f"{elapsed:.3f}",
            "hostname": _xml_text(hostname),
        })
        for result in _sorted_results(results):
            case = ET.SubElement(suite, "testcase", {
                "name": _xml_text(target_label(result)),
                "classname": _xml_text(f"{hostname}.{result.get('id') or result['host']}"),
                "time": _seconds(result),
            })
            status = result["status"]
            detail = str(result.get("detail") or "")
            if status in FAILED:
                failure = ET.SubElement(case, "failure", {"type": status,
                                                          "message": _xml_text(f"{status}: {detail}"[:500])})
                failure.text = _xml_text(_case_text(result))
            elif status == "skipped":
                ET.SubElement(case, "skipped", {"message": _xml_text(detail[:500])})
            else:
                out = ET.SubElement(case, "system-out")
                out.text = _xml_text(_case_text(result))
        grand["tests"] += len(results)
        grand["failures"] += failures
        grand["time"] += elapsed
    root.set("tests", str(grand["tests"]))
    root.set("failures", str(grand["failures"]))
    root.set("errors", "0")
    root.set("time", f"{grand['time']:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case_text(result: Mapping) -> str:
    lines = [f"status: {result['status']}", f"stage: {result.get('stage') or '-'}"]
    if result.get("addresses"):
        owner = result.get("address_owner")
        lines.append(f"addresses: {', '.join(map(str, result['addresses']))}" + (f" ({owner})" if owner else ""))
    for key in ("proxy", "issuer", "detail"):
        if result.get(key):
            lines.append(f"{key}: {result[key]}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ Markdown


def _md(value: Any) -> str:
    text = str(value if value is not None else "")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


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


def to_markdown(data: Any, title: str = "Apple services reachability", host: str = "localhost",
                max_failing_hosts: int = 10) -> str:
    runs = normalize_runs(data, host)
    summary = summarize_runs(runs)
    totals = summary["totals"]
    lines = [f"# {_md(title)}", ""]
    lines.append(f"{totals['hosts']} host(s), {totals['results']} checks: **{totals['ok']} ok**, "
                 f"**{totals['failed']} failed**, {totals['skipped']} skipped. "
                 f"{totals['hosts_all_ok']} host(s) reach every target; {totals['hosts_with_failures']} do not.")
    verdict = _verdict(totals)
    if verdict:
        lines += ["", f"**{verdict}**"]
    lines += ["", "| status | count |", "|---|---:|"]
    for status in STATUS_ORDER:
        if totals["by_status"].get(status):
            lines.append(f"| {status} | {totals['by_status'][status]} |")
    lines += ["", "## Targets across hosts", "", "| target | required | hosts reaching | statuses | failing hosts |",
              "|---|---|---:|---|---|"]
    for target in summary["targets"]:
        by_rank = sorted(target["by_status"].items(), key=lambda item: _status_rank(item[0]))
        statuses = ", ".join(f"{status} {count}" for status, count in by_rank)
        failing = target["failing_hosts"]
        shown = ", ".join(failing[:max_failing_hosts])
        if len(failing) > max_failing_hosts:
            shown += f" (+{len(failing) - max_failing_hosts})"
        lines.append(f"| {_md(target['target'])} | {'yes' if target['required'] else 'no'} | "
                     f"{target['hosts_ok']}/{target['hosts']} | {_md(statuses)} | {_md(shown) or '-'} |")
    lines += ["", "## Failures per host", ""]
    any_failure = False
    for hostname, results in runs:
        failed = [r for r in _sorted_results(results) if r["status"] in FAILED]
        if not failed:
            continue
        any_failure = True
        lines += [f"### {_md(hostname)}", "", "| target | status | stage | detail |", "|---|---|---|---|"]
        for result in failed:
            detail = result.get("detail") or ""
            if result.get("issuer") and result["status"] == "intercepted":
                detail = f"issuer: {result['issuer']}; {detail}"
            lines.append(f"| {_md(target_label(result))} | **{result['status']}** | {_md(result.get('stage') or '-')}"
                         f" | {_md(detail)} |")
        lines.append("")
    if not any_failure:
        lines += ["No failures.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------------------------ HTML


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1d1d1f}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:20px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px;font-size:13px}
th,td{border:1px solid #d2d2d7;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f7}td.num{text-align:right}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-weight:600;font-size:12px}
.lead{font-size:14px}.muted{color:#6e6e73}
""".strip()


def _badge(status: str) -> str:
    bg, fg = STATUS_COLOURS.get(status, ("#ffffff", "#000000"))
    return f'<span class="badge" style="background:{bg};color:{fg}">{html.escape(status)}</span>'


def _row_style(status: str) -> str:
    bg, _fg = STATUS_COLOURS.get(status, ("#ffffff", "#000000"))
    return f' style="background:{bg}"'


def to_html(data: Any, title: str = "Apple services reachability", host: str = "localhost") -> str:
    """A self-contained HTML page: totals, a per-target table across hosts, then a table per host (failures first,
    rows coloured by status). No scripts, no external resources."""
    runs = normalize_runs(data, host)
    summary = summarize_runs(runs)
    totals = summary["totals"]
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{totals["hosts"]} host(s), {totals["results"]} checks: {totals["ok"]} ok, '
        f'{totals["failed"]} failed, {totals["skipped"]} skipped. {totals["hosts_all_ok"]} host(s) reach every '
        f'target; {totals["hosts_with_failures"]} do not.</p>',
    ]
    verdict = _verdict(totals)
    if verdict:
        out.append(f'<p class="lead"><strong>{esc(verdict)}</strong></p>')
    out.append("<table><tr><th>status</th><th>count</th></tr>")
    for status in STATUS_ORDER:
        if totals["by_status"].get(status):
            out.append(f"<tr><td>{_badge(status)}</td><td class=\"num\">{totals['by_status'][status]}</td></tr>")
    out.append("</table>")
    out.append("<h2>Targets across hosts</h2>")
    out.append("<table><tr><th>target</th><th>required</th><th>hosts reaching</th><th>statuses</th></tr>")
    for target in summary["targets"]:
        worst = min(target["by_status"], key=_status_rank)
        by_rank = sorted(target["by_status"].items(), key=lambda item: _status_rank(item[0]))
        statuses = " ".join(f"{_badge(status)} {count}" for status, count in by_rank)
        out.append(f"<tr{_row_style(worst)}><td>{esc(target['target'])}</td>"
                   f"<td>{'yes' if target['required'] else 'no'}</td>"
                   f"<td class=\"num\">{target['hosts_ok']}/{target['hosts']}</td><td>{statuses}</td></tr>")
    out.append("</table>")
    out.append("<h2>Hosts</h2>")
    host_order = sorted(runs, key=lambda run: (not any(r["status"] in FAILED for r in run[1]), run[0]))
    for hostname, results in host_order:
        failed = sum(1 for r in results if r["status"] in FAILED)
        out.append(f'<h3 id="host-{esc(hostname)}">{esc(hostname)} <span class="muted">'
                   f"({len(results) - failed}/{len(results)} not failing)</span></h3>")
        out.append("<table><tr><th>target</th><th>status</th><th>stage</th><th>addresses</th>"
                   "<th>issuer</th><th>ms</th><th>detail</th></tr>")
        for result in _sorted_results(results):
            addresses = ", ".join(map(str, result.get("addresses") or []))
            if addresses and result.get("address_owner"):
                addresses += f" ({result['address_owner']})"
            out.append(
                f"<tr{_row_style(result['status'])}><td>{esc(target_label(result))}</td>"
                f"<td>{_badge(result['status'])}</td><td>{esc(str(result.get('stage') or '-'))}</td>"
                f"<td>{esc(addresses)}</td><td>{esc(str(result.get('issuer') or ''))}</td>"
                f"<td class=\"num\">{esc(str(result.get('elapsed_ms', '')))}</td>"
                f"<td>{esc(str(result.get('detail') or ''))}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

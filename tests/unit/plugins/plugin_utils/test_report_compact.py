# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compact result shape expanded by the reports, and the reports written piece by piece."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.netallow.apple.plugins.filter.report import FilterModule
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import (
    compact_results,
    passed_result,
    passed_times,
    summarize,
)
from ansible_collections.netallow.apple.plugins.plugin_utils import _report, _report_files, _selection

FILTERS = FilterModule().filters()
TARGETS = [
    {"host": "albert.apple.com", "probe": "albert.apple.com", "port": 443, "protocol": "tcp", "id": "activation",
     "entry_ids": ["activation"], "required": True},
    {"host": "*.push.apple.com", "probe": "1-courier.push.apple.com", "port": 5223, "protocol": "tcp",
     "id": "apns", "required": True},
    {"host": "time.apple.com", "probe": "time.apple.com", "port": 123, "protocol": "udp", "id": "ntp",
     "required": False},
    {"host": "mdmenrollment.apple.com", "probe": "mdmenrollment.apple.com", "port": 443, "protocol": "tcp",
     "id": "mdm_enrollment", "required": True},
]


def full_run(index: int) -> list:
    """One host's full results, as the module returns them: details on every check."""
    results = []
    for position, target in enumerate(TARGETS):
        result = passed_result(target, 30 + (index * 7 + position) % 90)
        result.update(stage="tls", addresses=["17.253.144.10"], address_owner="apple", address="17.253.144.10",
                      issuer="CN=Apple Public Server RSA CA 12 - G1, O=Apple Inc.",
                      detail="TCP connected to 17.253.144.10; TLSv1.3 verified")
        if index % 3 == 0 and target["id"] == "apns":
            result.update(status="intercepted", issuer="CN=InspectCorp Root CA, O=InspectCorp",
                          detail="issued by CN=InspectCorp Root CA, not by an expected issuer")
        if index % 5 == 0 and target["protocol"] == "udp":
            result.update(status="timeout", stage="udp", issuer=None, detail="no SNTP reply within 3 s")
        if index % 7 == 0 and target["id"] == "mdm_enrollment":
            result.update(status="skipped", stage=None, detail="no UDP probe for this port")
        results.append(result)
    return results


def reduced(results: list) -> list:
    """What the compact shape keeps of full results: a passing check's target, status and time only."""
    return [passed_result(target, result["elapsed_ms"]) if result["status"] == "ok" else result
            for target, result in zip(TARGETS, results)]


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def fleet(hosts: int):
    full, compact, expected = {}, {}, {}
    for index in range(1, hosts + 1):
        name = f"mac-{index:03d}"
        results = full_run(index)
        full[name] = {"results": results, "summary": summarize(results)}
        compact[name] = dict(compact_results(results), selection={"targets": TARGETS})
        expected[name] = {"results": reduced(results)}
    return full, compact, expected


@pytest.mark.parametrize("hosts", [1, 3, 60])
def test_compact_gives_the_report_of_the_same_checks(hosts):
    full, compact, expected = fleet(hosts)
    for name in ("to_junit", "to_markdown", "to_html"):
        assert FILTERS[name](compact, title="Fleet") == FILTERS[name](expected, title="Fleet"), name
    # The Markdown report never shows a passing check's details, nor the HTML report above 50 hosts: the same
    # report as from the full shape, byte for byte.
    assert FILTERS["to_markdown"](compact) == FILTERS["to_markdown"](full)
    if hosts > _report.FULL_DETAIL_HOSTS:
        assert FILTERS["to_html"](compact) == FILTERS["to_html"](full)
    else:
        assert FILTERS["to_html"](compact) != FILTERS["to_html"](full)  # the full shape shows every check's detail
    summary = FILTERS["reachability_summary"](compact)
    assert summary == FILTERS["reachability_summary"](full)
    assert summary["totals"]["results"] == hosts * len(TARGETS)


def test_compact_failures_are_reported_in_full():
    _full, compact, _expected = fleet(3)
    junit = FILTERS["to_junit"](compact)
    assert 'type="intercepted" message="intercepted: issued by CN=InspectCorp Root CA' in junit
    assert "issuer: CN=InspectCorp Root CA, O=InspectCorp" in junit
    assert junit.count("<testcase ") == 12
    assert '<testcase name="albert.apple.com tcp/443" classname="mac-001.activation" time="0.037">' in junit


def test_compact_with_the_catalog_selection_and_its_skipped_entries():
    """Selected from the catalog: the reports select the same targets again and add the skipped entries that the
    compact shape does not repeat per host."""
    args = {"fail_on": "none"}  # the default selection: it has entries that cannot be probed
    targets, skipped = _selection.select_targets(args)
    assert targets and skipped
    results = [passed_result(target, 40) for target in targets]
    results[0] = dict(results[0], status="refused", stage="tcp", detail="connection refused")
    full = {"mac-1": {"results": results + skipped}}
    compact = {"mac-1": dict(compact_results(results), selection=_selection.selection_reference(args, targets))}
    assert compact["mac-1"]["selection"]["key"]
    for name in ("to_junit", "to_markdown", "to_html"):
        assert FILTERS[name](compact) == FILTERS[name](full), name


def test_compact_results_when_the_catalog_changed():
    args = {"section": ["devicesetup"]}
    targets, _skipped = _selection.select_targets(args)
    selection = dict(_selection.selection_reference(args, targets), key="0" * 32)
    compact = {"mac-1": dict(compact_results([passed_result(t) for t in targets]), selection=selection)}
    with pytest.raises(Exception, match="mac-1: the catalog changed since the hosts ran the check"):
        FILTERS["to_markdown"](compact)


@pytest.mark.parametrize("passed, message", [
    ({"index": [0, 1, 2, 9], "elapsed_ms": [1, 2, 3, 4]}, "distinct positions in the 4 targets"),
    ({"index": [0, 0, 1], "elapsed_ms": [1, 2, 3]}, "distinct positions"),
    ({"index": [0, 1], "elapsed_ms": [1]}, "two lists of the same length"),
    ({"index": [0], "elapsed_ms": [1]}, "1 passed and 0 other checks do not fit the 4 targets"),
    ({"index": [0, 1, 2, 3], "elapsed_ms": [1, 2, None, 4]}, "whole milliseconds"),
])
def test_compact_shape_that_does_not_fit_is_named(passed, message):
    compact = {"mac-1": {"results": [], "passed": passed, "selection": {"targets": TARGETS}}}
    with pytest.raises(Exception, match=f"mac-1.passed: .*{message}"):
        FILTERS["to_junit"](compact)


def test_compact_results_need_their_selection():
    compact = {"mac-1": {"results": [], "passed": {"index": [], "elapsed_ms": []}}}
    with pytest.raises(Exception, match="mac-1: compact results .* need the 'selection'"):
        FILTERS["to_html"](compact)


def test_passed_positions_and_summary():
    assert passed_times({"index": [2, 0], "elapsed_ms": [5, 6]}, 1, 3) == [6, None, 5]
    summary = summarize([{"status": "refused", "required": True}], passed=3)
    assert summary["total"] == 4 and summary["ok"] == 3 and summary["by_status"] == {"ok": 3, "refused": 1}
    assert summary["required_failed"] == 1


@pytest.mark.parametrize("report_format, name", [("junit", "to_junit"), ("markdown", "to_markdown"),
                                                 ("html", "to_html")])
def test_written_report_is_the_filter_output(tmp_path, report_format, name):
    full, compact, _expected = fleet(60)
    for data in (full, compact):
        path = str(tmp_path / f"report.{report_format}")
        pieces = _report_files.report_pieces(report_format, data, "Fleet")
        written = _report_files.write_pieces(path, pieces)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        assert text == FILTERS[name](data, title="Fleet")
        assert written["changed"] is True and written["size"] == len(text.encode("utf-8"))
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        os.unlink(path)


def test_write_pieces_changes_only_what_differs(tmp_path):
    path = str(tmp_path / "r.md")
    assert _report_files.write_pieces(path, iter(["a\n", "b\n"]), check_mode=True)["changed"] is True
    assert not os.path.exists(path)  # check mode writes nothing
    assert _report_files.write_pieces(path, iter(["a\n", "b\n"]))["changed"] is True
    before = os.stat(path).st_mtime_ns, os.stat(path).st_ino
    assert _report_files.write_pieces(path, iter(["a\nb", "\n"]))["changed"] is False
    assert (os.stat(path).st_mtime_ns, os.stat(path).st_ino) == before
    assert _report_files.write_pieces(path, iter(["a\n", "c\n"]), check_mode=True)["changed"] is True
    assert read(path) == "a\nb\n"
    assert _report_files.write_pieces(path, iter(["a\n", "c\n"]))["changed"] is True
    assert read(path) == "a\nc\n"
    os.chmod(path, 0o600)
    assert _report_files.write_pieces(path, iter(["a\n", "c\n"]))["changed"] is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert sorted(os.listdir(tmp_path)) == ["r.md"]  # no temporary file left


def test_write_pieces_leaves_the_file_when_a_piece_fails(tmp_path):
    path = str(tmp_path / "r.xml")
    _report_files.write_pieces(path, iter(["old\n"]))

    def pieces():
        yield "new"
        raise _report.ReportError("bad input")

    with pytest.raises(_report.ReportError):
        _report_files.write_pieces(path, pieces())
    assert read(path) == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["r.xml"]


@pytest.mark.parametrize("name, plain", [("reachability", True), ("fleet-2026.05_a", True), ("fleet\n", False),
                                         (".hidden", False), ("../up", False), ("a/b", False), ("", False)])
def test_report_file_names_are_plain(name, plain):
    assert bool(_report_files.PLAIN_NAME.match(name)) is plain

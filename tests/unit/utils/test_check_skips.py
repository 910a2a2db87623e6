# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The skip check every test stage of `make test` ends with: skips are found, explained or refused."""

from __future__ import annotations

import pytest

from ansible_collections.netallow.apple.tests.utils import check_skips

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3" skipped="2">
  <testcase classname="tests.unit.test_a" name="test_runs" time="0.1"/>
  <testcase classname="tests.unit.test_a" name="test_needs_squid" time="0.0">
    <skipped type="pytest.skip" message="/usr/sbin/squid not installed">skip text</skipped></testcase>
  <testcase classname="tests.unit.test_b" name="test_vendor[asa]" time="0.0"><skipped message="asa missing"/></testcase>
</testsuite></testsuites>
"""


@pytest.fixture(name="junit")
def fixture_junit(tmp_path):
    path = tmp_path / "units.xml"
    path.write_text(JUNIT, encoding="utf-8")
    return str(path)


def _allow_list(tmp_path, text):
    path = tmp_path / "allowed.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_junit_skips_carry_the_test_and_its_reason(junit):
    assert check_skips.junit_skips(junit) == [
        ("tests.unit.test_a::test_needs_squid", "/usr/sbin/squid not installed"),
        ("tests.unit.test_b::test_vendor[asa]", "asa missing"),
    ]


def test_runner_logs_announce_targets_and_scenarios_that_did_not_run(tmp_path):
    log = tmp_path / "out.log"
    log.write_text('WARNING: Excluding tests marked "needs/root" which require --allow-root: role_hardening\n'
                   "ok: [localhost]\nskipping: [localhost]\nINFO  booted_squid > converge: Skipping, no systemd\n",
                   encoding="utf-8")
    found = [skip[0] for skip in check_skips.log_skips(str(log))]
    assert found == ['Excluding tests marked "needs/root" which require --allow-root: role_hardening',
                     "Skipping, no systemd"]


def test_a_skip_is_allowed_only_with_a_matching_reasoned_entry(tmp_path, junit):
    allowed = check_skips.load_allow_list(_allow_list(
        tmp_path, "units:\n  - test: 'test_vendor\\[asa\\]'\n    reason: the wheel is not reachable here\n"))
    explained, unexplained = check_skips.classify(check_skips.junit_skips(junit), allowed["units"])
    assert [skip[0] for skip in explained] == ["tests.unit.test_b::test_vendor[asa]"]
    assert unexplained == [("tests.unit.test_a::test_needs_squid", "/usr/sbin/squid not installed")]
    text = check_skips.report("units", explained, unexplained)
    assert "skips in units: 2 (1 allowed, 1 unexplained)" in text
    assert "UNEXPLAINED: tests.unit.test_a::test_needs_squid - /usr/sbin/squid not installed" in text


@pytest.mark.parametrize(("text", "problem"), [
    ("units:\n  - test: x\n", "needs 'test'"),
    ("units:\n  - test: x\n    reason: '  '\n", "needs 'test'"),
    ("unit:\n  - test: x\n    reason: y\n", "unknown stage(s) unit"),
])
def test_an_allow_list_entry_without_a_reason_or_stage_is_refused(tmp_path, text, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_skips.load_allow_list(_allow_list(tmp_path, text))


def test_the_stage_fails_on_an_unexplained_skip_and_passes_without(tmp_path, junit, capsys):
    summary = tmp_path / "units.skips"
    assert check_skips.main(["units", "--junit", junit, "--summary", str(summary)]) == 1
    assert "2 unexplained" in summary.read_text(encoding="utf-8")
    clean = tmp_path / "clean.xml"
    clean.write_text('<testsuite><testcase classname="a" name="b"/></testsuite>', encoding="utf-8")
    assert check_skips.main(["units", "--junit", str(clean)]) == 0
    assert "skips in units: 0 (0 allowed, 0 unexplained)" in capsys.readouterr().out


def test_missing_results_fail_the_stage(tmp_path):
    assert check_skips.main(["units", "--junit", str(tmp_path / "none.xml")]) == 2


def test_the_collections_allow_list_is_valid_and_empty():
    """Zero skips is the goal: an entry here must be argued in review, not added in passing."""
    assert check_skips.load_allow_list() == {stage: [] for stage in check_skips.STAGES}

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The changelog fragment check that `make lint` runs: what it accepts and what it refuses."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netallow.apple.tests.utils.check_changelog_fragments import check_fragment, check_line

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


@pytest.mark.parametrize("line", [
    "netallow.apple.render filter - new option O(header=true) for V(nftables).",
    "netallow.apple.endpoints lookup - C(since) takes a month.",
    "netallow.apple.allowed test - refuses a backslash.",
    "netallow.apple.reachability module - new option O(workers).",
    "netallow.apple.nftables role - checks O(netallow_apple_nftables_mode).",
    "catalog - a new host.",
    "playbooks - the main job writes C(out/x.json).",
    "collection - every role builds its model one way.",
    "netallow.apple.to_allowlist filter -\n  a folded line.",
])
def test_well_formed_lines_pass(line):
    assert check_line(line, ROOT) == []


@pytest.mark.parametrize(("line", "problem"), [
    ("nftables - no FQCN.", "does not start with a component prefix"),
    ("netallow.apple.render - no type.", "does not start with a component prefix"),
    ("netallow.apple.render plugin - unknown type.", "does not start with a component prefix"),
    ("netallow.apple.endpoints lookup-no spaces around the dash.", "does not start with a component prefix"),
    ("netallow.apple.nosuch filter - a filter that does not exist.", "filter netallow.apple.nosuch, which does not"),
    ("netallow.apple.render role - a role that does not exist.", "role netallow.apple.render, which does not"),
    ("netallow.apple.render filter - ``header`` in RST.", "double back-quotes"),
    ({"not": "a string"}, "is not a string"),
])
def test_malformed_lines_are_named(line, problem):
    assert any(problem in found for found in check_line(line, ROOT))


def test_a_fragment_is_checked_line_by_line_and_the_summary_is_prose(tmp_path):
    fragment = tmp_path / "x.yml"
    fragment.write_text("release_summary: Free prose - no prefix needed.\n"
                        "bugfixes:\n  - catalog - fine.\n  - squid role - old style.\n", encoding="utf-8")
    problems = check_fragment(str(fragment), ROOT)
    assert len(problems) == 1 and "squid role - old style" in problems[0]


def test_the_collections_own_fragments_pass():
    folder = os.path.join(ROOT, "changelogs", "fragments")
    names = [n for n in os.listdir(folder) if n.endswith((".yml", ".yaml"))]
    assert names
    assert [p for n in names for p in check_fragment(os.path.join(folder, n), ROOT)] == []

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compact result shape, on the managed host's side (Python 3.9 and newer): made from full results, and
expanded back into them."""

from __future__ import annotations

import json

import pytest

from ansible_collections.netallow.apple.plugins.module_utils.probes.result import (
    compact_results,
    expand_results,
    passed_result,
    passed_times,
    summarize,
)

TARGETS = [
    {"host": "albert.apple.com", "probe": "albert.apple.com", "port": 443, "protocol": "tcp", "id": "a",
     "entry_ids": ["a", "b"], "required": True},
    {"host": "*.push.apple.com", "probe": "1-courier.push.apple.com", "port": 5223, "id": "p"},
    {"host": "time.apple.com", "port": 123, "protocol": "udp", "id": "t", "required": False},
]


def full_results():
    ok = passed_result(TARGETS[0], 12)
    ok.update(stage="tls", addresses=["17.1.2.3"], detail="TLSv1.3 verified")
    refused = dict(passed_result(TARGETS[1], 3), status="refused", stage="tcp", detail="connection refused")
    ntp = dict(passed_result(TARGETS[2], 40), stage="udp", detail="SNTP reply")
    return [ok, refused, ntp]


def test_passed_result_has_every_key_of_a_result():
    result = passed_result(TARGETS[1], 7)
    assert result["probe"] == "1-courier.push.apple.com" and result["protocol"] == "tcp"
    assert result["status"] == "ok" and result["elapsed_ms"] == 7 and result["required"] is True
    assert "entry_ids" not in result
    assert passed_result(TARGETS[2])["probe"] == "time.apple.com"
    assert passed_result(TARGETS[0])["entry_ids"] == ["a", "b"]


def test_compact_keeps_what_did_not_pass_and_survives_json():
    shaped = json.loads(json.dumps(compact_results(full_results())))
    assert [r["status"] for r in shaped["results"]] == ["refused"]
    assert shaped["results"][0]["detail"] == "connection refused"
    assert shaped["passed"] == {"index": [0, 2], "elapsed_ms": [12, 40]}


def test_expand_restores_the_order_and_the_passing_checks():
    shaped = compact_results(full_results())
    times = passed_times(shaped["passed"], len(shaped["results"]), len(TARGETS))
    assert times == [12, None, 40]
    expanded = expand_results(shaped["results"], times, [passed_result(t) for t in TARGETS])
    assert [r["status"] for r in expanded] == ["ok", "refused", "ok"]
    assert expanded[0] == passed_result(TARGETS[0], 12)  # the details of a passing check are not kept
    assert expanded[1] is shaped["results"][0]
    assert summarize(shaped["results"], passed=2) == summarize(full_results())


@pytest.mark.parametrize("passed, checks, message", [
    ({"index": [0, 5], "elapsed_ms": [1, 2]}, 1, "distinct positions in the 3 targets"),
    ({"index": [0, 0], "elapsed_ms": [1, 2]}, 1, "distinct positions"),
    ({"index": [0, 1], "elapsed_ms": [1]}, 1, "two lists of the same length"),
    ({"index": [0, 1], "elapsed_ms": [1, "2"]}, 1, "whole milliseconds"),
    ({"index": [0, 1], "elapsed_ms": [1, 2]}, 2, "2 passed and 2 other checks do not fit the 3 targets"),
    ([0, 1], 1, "two lists"),
])
def test_a_shape_that_does_not_fit_is_named(passed, checks, message):
    with pytest.raises(ValueError, match=message):
        passed_times(passed, checks, len(TARGETS))

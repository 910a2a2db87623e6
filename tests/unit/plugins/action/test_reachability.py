# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability action plugin's controller side: catalog selection and expansion into probe targets."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleActionFail

from ansible_collections.netallow.apple.plugins.action.reachability import select_targets
from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import SELECTORS
from ansible_collections.netallow.apple.plugins.plugin_utils._selection import entries_to_targets
from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


def entry(**over):
    base = {"id": "s.a", "host": "a.apple.com", "kind": "fqdn", "probe": "a.apple.com", "tcp": [443], "udp": [],
            "required": True}
    base.update(over)
    return base


def test_entries_to_targets_dedupes_and_skips():
    entries = [
        entry(),
        entry(id="t.a", required=False, tcp=[443, 80]),
        entry(id="w", host="*.push.apple.com", kind="wildcard", probe="1-courier.push.apple.com", tcp=[5223]),
        entry(id="w2", host="*.cdn-apple.com", kind="wildcard", probe=None, tcp=[443]),
        entry(id="w3", host="*.example-cdn.apple.com", kind="wildcard", probe=None, tcp=[443],
              no_probe_reason="no documented name under it is known"),
        entry(id="c", host="17.0.0.0/8", kind="cidr", probe=None, tcp=["1-65535"], udp=[]),
        entry(id="c6", host="2620:149:a44::/48", kind="cidr", probe=None, tcp=[443]),
        entry(id="n", host="time.apple.com", probe="time.apple.com", tcp=[], udp=[123]),
        entry(id="r", host="old.apple.com", probe=None, tcp=[443]),
    ]
    targets, skipped = entries_to_targets(entries)
    keys = [(t["probe"], t["port"], t["protocol"]) for t in targets]
    assert keys == [("a.apple.com", 443, "tcp"), ("a.apple.com", 80, "tcp"),
                    ("1-courier.push.apple.com", 5223, "tcp"), ("time.apple.com", 123, "udp")]
    assert targets[0]["entry_ids"] == ["s.a", "t.a"] and targets[0]["required"] is True
    assert targets[1]["required"] is False
    assert targets[2]["host"] == "*.push.apple.com"
    reasons = {s["id"]: s["detail"] for s in skipped}
    assert reasons["w2"] == "wildcard without a probe name"
    assert reasons["w3"] == "wildcard without a probe name: no documented name under it is known"
    assert not any(t["probe"] in ("cdn-apple.com", "example-cdn.apple.com") for t in targets)  # never the apex
    assert reasons["c"] == "port range 1-65535 is not probed"
    assert reasons["c6"].startswith("address block")
    assert reasons["r"] == "no probe name (retired host)"
    assert all(s["status"] == "skipped" for s in skipped)


def test_entries_to_targets_cidr_with_resolve_and_port_filter():
    entries = [entry(id="c6", host="2620:149:a44::/48", kind="cidr", probe=None, tcp=[443, 5223])]
    targets, skipped = entries_to_targets(entries, ports=[5223], resolve={"2620:149:A44::/48": "::1"})
    assert skipped == []
    assert [(t["probe"], t["port"]) for t in targets] == [("2620:149:a44::/48", 5223)]
    targets = entries_to_targets([entry(tcp=[443], udp=[123])], protocols=["udp"])[0]
    assert [(t["port"], t["protocol"]) for t in targets] == [(123, "udp")]


def test_select_targets_reads_a_catalog(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(RAW))
    base = {name: None for name in SELECTORS}
    base.update(include_removed=False, include_unverified=False, include_broad=False, catalog_path=str(path))
    targets, skipped = select_targets(dict(base, section=["devicemanagement"]))
    expected = [("1-courier.push.apple.com", port) for port in (443, 80, 5223, 2197)]
    assert [(t["probe"], t["port"]) for t in targets] == expected
    assert skipped == []
    targets, skipped = select_targets(dict(base, section=["firewall"]))
    assert targets == [] and [s["host"] for s in skipped] == ["2620:149:a44::/48"] * 2  # APNs block, no address
    targets, skipped = select_targets(dict(base, section=["firewall"], include_broad=True))
    assert [(t["probe"], t["port"]) for t in targets] == [("www.apple.com", 80), ("www.apple.com", 443)]
    assert sorted(s["host"] for s in skipped) == ["17.0.0.0/8"] * 2 + ["2620:149:a44::/48"] * 2  # TCP, UDP range
    targets, skipped = select_targets(dict(base, section=["businessschool"]))
    reason = "wildcard without a probe name: no documented name under it"
    assert targets == [] and {s["detail"] for s in skipped} == {reason}


def test_select_targets_names_unknown_section(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(RAW))
    base = {name: None for name in SELECTORS}
    base.update(include_removed=False, include_unverified=False, catalog_path=str(path))
    with pytest.raises(AnsibleActionFail, match="nosuchsection"):
        select_targets(dict(base, section=["nosuchsection"]))


def test_selection_is_computed_once_per_run_for_each_set_of_options(tmp_path, monkeypatch):
    """The first host's worker writes the selection to the run's temporary directory; the others read it back."""
    from ansible_collections.netallow.apple.plugins.action import reachability as action

    managed = {"section": ["devicesetup", "devicemanagement"], "fail_on": "required"}
    fresh = select_targets(dict(managed))
    assert action.select_targets_once(dict(managed), str(tmp_path)) == fresh
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 1 and written[0].startswith("netallow-apple-selection-")

    def no_second_selection(args):
        raise AssertionError(f"selected again for {args}")

    monkeypatch.setattr(action, "select_targets", no_second_selection)
    # Read back: equal to a fresh selection, types included (ints stay ints, lists stay lists).
    assert action.select_targets_once(dict(managed), str(tmp_path)) == fresh
    # Other options are another selection; the wider one must be computed, not read back.
    with pytest.raises(AssertionError, match="selected again"):
        action.select_targets_once(dict(managed, section=["devicesetup"]), str(tmp_path))
    with pytest.raises(AssertionError, match="selected again"):
        action.select_targets_once(dict(managed, resolve={"albert.apple.com": "127.0.0.1"}), str(tmp_path))
    # Without a shared directory, every call selects.
    with pytest.raises(AssertionError, match="selected again"):
        action.select_targets_once(dict(managed), None)
    with pytest.raises(AssertionError, match="selected again"):
        action.select_targets_once(dict(managed), str(tmp_path / "absent"))


def test_an_edited_catalog_is_selected_again(tmp_path):
    from ansible_collections.netallow.apple.plugins.action import reachability as action

    catalog = tmp_path / "catalog.yml"
    catalog.write_text(yaml.safe_dump(RAW), encoding="utf-8")
    shared = tmp_path / "run"
    shared.mkdir()
    args = {"catalog_path": str(catalog)}
    before = action.select_targets_once(dict(args), str(shared))
    edited = yaml.safe_load(yaml.safe_dump(RAW))
    edited["entries"] = edited["entries"][1:]
    catalog.write_text(yaml.safe_dump(edited), encoding="utf-8")
    after = action.select_targets_once(dict(args), str(shared))
    assert after == select_targets(dict(args)) and after != before
    assert len(list(shared.iterdir())) == 2

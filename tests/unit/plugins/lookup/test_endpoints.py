# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The endpoints lookup through Ansible's plugin loader: on a sample catalog, then on the shipped one."""

from __future__ import annotations

import pytest
import yaml
from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.plugins.loader import lookup_loader

from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


@pytest.fixture(name="lookup")
def fixture_lookup():
    plugin = lookup_loader.get("netallow.apple.endpoints")
    assert plugin is not None, "the lookup must load through the collection loader"
    return plugin


@pytest.fixture(name="sample_path")
def fixture_sample_path(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(RAW), encoding="utf-8")
    return str(path)


def test_no_terms_returns_current_entries(lookup, sample_path):
    entries = lookup.run([], {}, catalog_path=sample_path)
    assert {e["status"] for e in entries} == {"current"}
    assert len(entries) == 5
    assert {"id", "section", "host", "kind", "tcp", "udp", "platforms", "proxy", "required", "status",
            "description", "probe", "scope", "port_basis", "broad"} <= set(entries[0])
    assert not any(e["broad"] for e in entries)


def test_include_broad_is_the_opt_in(lookup, sample_path):
    hosts = lookup.run([], {}, catalog_path=sample_path, output="hosts")
    assert not {"17.0.0.0/8", "*.apple.com", "*.amazonaws.com", "configuration.apple.com"} & set(hosts)
    hosts = lookup.run([], {}, catalog_path=sample_path, output="hosts", include_broad=True)
    assert {"17.0.0.0/8", "*.apple.com", "*.amazonaws.com", "configuration.apple.com"} <= set(hosts)
    with pytest.raises(AnsibleOptionsError, match="include_braod.*valid options: .*include_broad"):
        lookup.run([], {}, catalog_path=sample_path, include_braod=True)


def test_terms_are_sections(lookup, sample_path):
    entries = lookup.run(["devicesetup"], {}, catalog_path=sample_path)
    assert {e["section"] for e in entries} == {"devicesetup"}


def test_outputs_and_query(lookup, sample_path):
    assert lookup.run([], {}, catalog_path=sample_path, output="cidrs") == ["2620:149:a44::/48"]
    assert lookup.run([], {}, catalog_path=sample_path, output="cidrs", include_broad=True) == [
        "17.0.0.0/8", "2620:149:a44::/48"]
    (ports,) = lookup.run([], {}, catalog_path=sample_path, output="ports", section="devicemanagement")
    assert ports == {"tcp": [80, 443, 2197, 5223], "udp": []}
    hosts = lookup.run([], {}, catalog_path=sample_path, query="[?kind=='wildcard'].host")
    assert hosts == ["*.push.apple.com", "*.business.apple.com"]
    (info,) = lookup.run([], {}, catalog_path=sample_path, output="info")
    assert info["version"] == "1.0.0" and "firewall" in info["sections"]


def test_boolean_selectors_accept_booleans_and_strings(lookup, sample_path):
    assert [e["host"] for e in lookup.run([], {}, catalog_path=sample_path, proxy=True)] == ["albert.apple.com"]
    assert [e["host"] for e in lookup.run([], {}, catalog_path=sample_path, proxy="true")] == ["albert.apple.com"]


@pytest.mark.parametrize("kwargs, named", [
    ({"sectoin": "devicesetup"}, "sectoin"),
    ({"section": "devicestup"}, "devicestup"),
    ({"platform": "android"}, "android"),
    ({"protocol": "sctp"}, "sctp"),
    ({"output": "everything"}, "everything"),
    ({"query": "[?"}, "[?"),
])
def test_bad_input_is_named(lookup, sample_path, kwargs, named):
    with pytest.raises((AnsibleLookupError, AnsibleOptionsError)) as info:
        lookup.run([], {}, catalog_path=sample_path, **kwargs)
    assert named in str(info.value)


def test_unknown_option_lists_valid_ones(lookup, sample_path):
    with pytest.raises(AnsibleOptionsError, match="valid options: .*section"):
        lookup.run([], {}, catalog_path=sample_path, platfrom="macos")


# ------------------------------------------------------------------ the shipped catalog

def test_shipped_catalog_device_management_for_macos(lookup):
    entries = lookup.run([], {}, section="devicemanagement", platform="macos")
    push = [e for e in entries if e["host"] == "*.push.apple.com"]
    assert len(push) == 1
    assert set(push[0]["tcp"]) == {443, 80, 5223, 2197}
    assert push[0]["kind"] == "wildcard" and push[0]["probe"]


def test_shipped_catalog_sftp_upload_is_tcp_22(lookup):
    entries = lookup.run([], {}, host="upload.appleschoolcontent.com")
    assert entries and all(e["tcp"] == [22] and e["udp"] == [] for e in entries)


def test_shipped_catalog_default_is_precise(lookup):
    hosts = set(lookup.run([], {}, output="hosts"))
    assert not {"*.apple.com", "17.0.0.0/8", "*.amazonaws.com"} & hosts
    assert {"*.push.apple.com", "albert.apple.com", "17.249.0.0/16", "2620:149:a44::/48"} <= hosts
    broad = lookup.run([], {}, include_broad=True, host=["*.apple.com", "17.0.0.0/8", "*.amazonaws.com"])
    assert {(e["host"], e["scope"]) for e in broad} == {
        ("*.apple.com", "shortcut"), ("17.0.0.0/8", "shortcut"), ("*.amazonaws.com", "platform")}
    assert lookup.run([], {}, section="serverhosts") == []  # HT201999 prints no ports: all inferred
    inferred = lookup.run([], {}, section="serverhosts", include_broad=True)
    assert inferred and {e["port_basis"] for e in inferred} == {"inferred"}


def test_shipped_catalog_history_is_opt_in(lookup):
    assert lookup.run([], {}, host="ns.itunes.apple.com") == []
    removed = lookup.run([], {}, host="ns.itunes.apple.com", include_removed=True)
    assert removed and {e["status"] for e in removed} == {"removed"}
    assert all(e["removed"] == "2025-04" for e in removed)


def test_shipped_catalog_has_no_seed_typos(lookup):
    everything = lookup.run([], {}, include_removed=True, include_unverified=True, include_broad=True)
    ports = {p for e in everything for proto in ("tcp", "udp") for p in e[proto]}
    assert not ports & {1231, 52231, 433}
    (rows,) = [lookup.run([], {}, output="port_rows")]
    row_ports = {p for r in rows for proto in ("tcp", "udp") for p in r[proto]}
    assert 123 in row_ports and 5223 in row_ports
    assert not row_ports & {1231, 52231, 433}


def test_changes_output_and_since(lookup, sample_path):
    feed = lookup.run([], {}, catalog_path=sample_path, output="changes", since="2025-01")
    assert feed == [{"date": "2025-04", "change": "removed", "id": "software.ns.itunes.apple.com",
                     "host": "ns.itunes.apple.com", "section": "software", "detail": "no longer listed by Apple"}]
    assert lookup.run([], {}, catalog_path=sample_path, output="changes", since="2025.4.0") == []
    everything = lookup.run([], {}, catalog_path=sample_path, output="changes", include_broad=True)
    assert len(everything) == len(RAW["entries"]) + 1  # each entry's addition, plus one removal
    precise = lookup.run([], {}, catalog_path=sample_path, output="changes")
    assert len(precise) == len(everything) - 4  # the sample's four broad entries only with include_broad
    assert [e["date"] for e in everything] == sorted((e["date"] for e in everything), reverse=True)


def test_since_needs_the_changes_output(lookup, sample_path):
    with pytest.raises(AnsibleLookupError, match="since: only used with output='changes'"):
        lookup.run([], {}, catalog_path=sample_path, since="2025-01")
    with pytest.raises(AnsibleLookupError, match="'soon' is neither a date"):
        lookup.run([], {}, catalog_path=sample_path, output="changes", since="soon")


def test_changes_of_the_shipped_catalog_name_the_known_history(lookup):
    feed = lookup.run([], {}, output="changes", since="2025-01")
    seen = {(e["change"], e["host"], e["date"]) for e in feed}
    assert ("removed", "ns.itunes.apple.com", "2025-04") in seen
    assert ("renamed", "phonesubmissions.apple.com", "2025-04") in seen
    assert ("changed", "gateway.icloud.com", "2025-07") in seen


# ------------------------------------------------------------------ hostile and careless input
@pytest.mark.parametrize("value", ["maybe", "ja", 2, "truee"])
def test_a_boolean_option_that_is_no_boolean_is_refused(lookup, sample_path, value):
    with pytest.raises(AnsibleOptionsError, match=r"include_removed .* is not a boolean"):
        lookup.run([], {}, catalog_path=sample_path, include_removed=value)


def test_boolean_strings_are_converted(lookup, sample_path):
    assert lookup.run([], {}, catalog_path=sample_path, include_removed="no") == \
        lookup.run([], {}, catalog_path=sample_path, include_removed=False)


def test_an_unreadable_or_hostile_catalog_is_a_lookup_error(lookup, tmp_path):
    with pytest.raises(AnsibleLookupError, match="IsADirectoryError"):
        lookup.run([], {}, catalog_path=str(tmp_path))
    nested = tmp_path / "nested.yml"
    nested.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(AnsibleLookupError, match="netallow.apple.endpoints"):
        lookup.run([], {}, catalog_path=str(nested))

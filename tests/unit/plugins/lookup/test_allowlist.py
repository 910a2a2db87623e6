# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The allowlist lookup (how every role builds its model) through Ansible's plugin loader."""

from __future__ import annotations

import re

import pytest
import yaml
from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.plugins.loader import lookup_loader

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


@pytest.fixture(name="allowlist")
def fixture_allowlist():
    plugin = lookup_loader.get("netallow.apple.allowlist")
    assert plugin is not None, "the lookup must load through the collection loader"
    return plugin


@pytest.fixture(name="endpoints")
def fixture_endpoints():
    return lookup_loader.get("netallow.apple.endpoints")


@pytest.fixture(name="sample_path")
def fixture_sample_path(tmp_path):
    path = tmp_path / "catalog.yml"
    sample = dict(RAW, catalog_version="9.8.7")
    path.write_text(yaml.safe_dump(sample), encoding="utf-8")
    return str(path)


def test_model_is_the_selection_through_to_allowlist(allowlist, endpoints, sample_path):
    select = {"catalog_path": sample_path, "section": ["devicesetup", "devicemanagement"]}
    [model] = allowlist.run([], {}, select=select, exclude_hosts=["time.apple.com"])
    entries = endpoints.run([], {}, **select)
    assert model == build_allowlist(entries, exclude_hosts=["time.apple.com"], catalog_version="9.8.7")
    assert sorted(model["fqdns"]) == ["albert.apple.com"]
    assert model["wildcards"] == ["push.apple.com"]


def test_model_records_the_version_of_the_catalog_it_was_selected_from(allowlist, sample_path):
    [model] = allowlist.run([], {}, select={"catalog_path": sample_path})
    assert model["stamp"]["catalog_version"] == "9.8.7"


def test_the_default_selection_is_precise(allowlist, sample_path):
    [model] = allowlist.run([], {}, select={"catalog_path": sample_path})
    assert "apple.com" not in model["wildcards"] and "17.0.0.0/8" not in model["cidrs4"]
    [broad] = allowlist.run([], {}, select={"catalog_path": sample_path, "include_broad": True})
    assert "apple.com" in broad["wildcards"] and "17.0.0.0/8" in broad["cidrs4"]


@pytest.mark.parametrize("option", ["output", "query", "since"])
def test_options_that_change_the_output_are_refused_by_the_name_the_role_gives(allowlist, option):
    with pytest.raises(AnsibleOptionsError) as raised:
        allowlist.run([], {}, select={"section": "icloud", option: "hosts"},
                      select_name="netallow_apple_squid_select")
    message = str(raised.value)
    assert re.match(f"netallow_apple_squid_select: {option} would change what", message)
    listed = message.split("selection options: ")[1].split(", ")
    assert "section" in listed and "include_broad" in listed and "catalog_path" in listed
    assert not {"output", "query", "since"} & set(listed)


def test_unknown_selection_options_and_values_name_the_variable(allowlist):
    with pytest.raises(AnsibleOptionsError, match=r"^netallow_apple_pac_select: .*unknown option\(s\) sektion"):
        allowlist.run([], {}, select={"sektion": "icloud"}, select_name="netallow_apple_pac_select")
    with pytest.raises(AnsibleOptionsError, match=r"^select: .*invalid platform 'windowz'"):
        allowlist.run([], {}, select={"platform": "windowz"})


def test_a_selection_that_is_no_dict_is_refused(allowlist):
    with pytest.raises(AnsibleOptionsError, match=r"select.*invalid value.*\[.icloud.\]"):
        allowlist.run([], {}, select=["icloud"])


def test_unknown_options_and_terms_are_refused(allowlist):
    with pytest.raises(AnsibleOptionsError, match="unknown option.*exclude_idz; valid options: entries"):
        allowlist.run([], {}, exclude_idz=["x"])
    with pytest.raises(AnsibleLookupError, match="takes no terms"):
        allowlist.run(["icloud"], {})


def test_entries_replace_the_selection_and_exclude_it(allowlist):
    entries = [{"id": "own.mdm.example.org", "section": "own", "host": "mdm.example.org", "tcp": [443], "udp": []}]
    [model] = allowlist.run([], {}, entries=entries)
    assert model["fqdns"] == ["mdm.example.org"] and model["entry_count"] == 1
    with pytest.raises(AnsibleOptionsError, match="set only one of them"):
        allowlist.run([], {}, entries=entries, select={"section": "icloud"})


def test_bad_extras_and_exclusions_fail_naming_the_value(allowlist, sample_path):
    with pytest.raises(AnsibleLookupError, match="netallow.apple.allowlist: .*nosuch.id"):
        allowlist.run([], {}, select={"catalog_path": sample_path}, exclude_ids=["nosuch.id"])
    with pytest.raises(AnsibleLookupError, match="netallow.apple.allowlist: .*evil"):
        allowlist.run([], {}, select={"catalog_path": sample_path}, extra=[{"host": "evil;rm -rf", "tcp": [443]}])

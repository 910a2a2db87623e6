# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vocabulary has one definition: the schema, the catalog, the module's contract and the reports agree with it."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import yaml

from ansible_collections.netallow.apple.plugins.module_utils import _vocabulary as vocabulary
from ansible_collections.netallow.apple.plugins.module_utils.probes import dns
from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import argument_spec
from ansible_collections.netallow.apple.plugins.modules import reachability
from ansible_collections.netallow.apple.plugins.plugin_utils import _report
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog

ROOT = Path(__file__).resolve().parents[4]
SCHEMA = json.loads((ROOT / "vars" / "catalog.schema.json").read_text(encoding="utf-8"))


def _enum(name: str) -> list:
    return list(SCHEMA["$defs"][name]["enum"])


def test_schema_enums_equal_the_vocabulary():
    assert _enum("platform") == list(vocabulary.PLATFORMS)
    assert _enum("status") == list(vocabulary.ENTRY_STATUSES)
    assert _enum("scope") == list(vocabulary.SCOPES)
    assert _enum("port_basis") == list(vocabulary.PORT_BASES)
    assert _enum("language") == list(vocabulary.LANGUAGES)
    assert _enum("entry_section") == list(vocabulary.ENTRY_SECTIONS)
    assert _enum("port_section") == list(vocabulary.PORT_SECTIONS)
    assert _enum("section_key") == list(vocabulary.SECTIONS)
    assert [SCHEMA["$defs"]["process"]["properties"]["section"]["const"]] == list(vocabulary.PROCESS_SECTIONS)
    localized = SCHEMA["$defs"]["localized"]["properties"]
    assert list(localized) == list(vocabulary.LANGUAGES)
    # A wildcard or CIDR takes every scope but "host".
    not_a_name = SCHEMA["$defs"]["entry"]["allOf"][1]["else"]["properties"]["scope"]["enum"]
    assert not_a_name == [scope for scope in vocabulary.SCOPES if scope != "host"]
    port = SCHEMA["$defs"]["port_number"]
    assert (port["minimum"], port["maximum"]) == (vocabulary.PORT_MIN, vocabulary.PORT_MAX)
    assert SCHEMA["$defs"]["fqdn"]["maxLength"] == vocabulary.MAX_NAME_LENGTH


def test_the_shipped_catalog_uses_every_section_in_the_vocabulary_order():
    catalog = load_catalog()
    assert list(catalog.sections) == list(vocabulary.SECTIONS)


def test_apple_networks_are_the_catalogs_firewall_blocks():
    catalog = load_catalog()
    blocks = [ipaddress.ip_network(e["host"]) for e in catalog.entries
              if e["section"] == "firewall" and e["kind"] == "cidr" and e["status"] == "current"]
    collapsed = [str(n) for version in (4, 6)
                 for n in ipaddress.collapse_addresses(b for b in blocks if b.version == version)]
    assert sorted(vocabulary.APPLE_NETWORKS) == sorted(collapsed)
    # The probes classify with the same blocks: an address just outside the catalog's /48 is not Apple's.
    assert dns.classify_addresses(["2620:149:a44::1"]) == "apple"
    assert dns.classify_addresses(["2620:149:a45::1"]) == "cdn"


def test_the_module_contract_and_documentation_use_the_vocabulary():
    spec = argument_spec()
    assert spec["platform"]["choices"] == list(vocabulary.PLATFORMS)
    assert spec["protocol"]["choices"] == list(vocabulary.PROTOCOLS)
    assert spec["kind"]["choices"] == list(vocabulary.KINDS)
    assert spec["targets"]["options"]["check"]["choices"] == list(vocabulary.CHECKS)
    returned = yaml.safe_load(reachability.RETURN)["results"]["contains"]
    assert returned["status"]["choices"] == list(vocabulary.PROBE_STATUSES)
    assert returned["stage"]["choices"] == list(vocabulary.STAGES)


def test_reports_order_every_probe_status_once():
    assert sorted(_report.STATUS_ORDER) == sorted(vocabulary.PROBE_STATUSES)
    assert set(_report.STATUS_COLOURS) == set(vocabulary.PROBE_STATUSES)
    assert _report.FAILED == vocabulary.FAILED_STATUSES == set(vocabulary.PROBE_STATUSES) - {"ok", "skipped"}


def test_the_selector_fragment_is_the_lookups_and_the_modules():
    from ansible_collections.netallow.apple.plugins.doc_fragments.selectors import ModuleDocFragment
    from ansible_collections.netallow.apple.plugins.lookup import endpoints
    from ansible_collections.netallow.apple.plugins.module_utils.probes.argspec import SELECTORS

    shared = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    assert shared["platform"]["choices"] == list(vocabulary.PLATFORMS)
    assert shared["protocol"]["choices"] == list(vocabulary.PROTOCOLS)
    assert shared["kind"]["choices"] == list(vocabulary.KINDS)
    # Every selector but the two whose names or defaults differ (proxy is the module's proxy URL) is documented once.
    assert set(shared) == set(SELECTORS) - {"proxy_supported", "required"}
    assert set(shared) >= set(endpoints._SELECTORS) - {"proxy", "required"}
    spec = argument_spec()
    for name, option in shared.items():
        assert spec[name]["type"] == option["type"], name
        assert spec[name].get("elements") == option.get("elements"), name
        assert spec[name].get("default") in (None, option.get("default")), name

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles that build an allow-list share one selection contract: select, extra and the three exclusions.

Role argument specs cannot include each other, so the block is written into each role's
``meta/argument_specs.yml``; this test holds the one source of it and fails when a copy drifts (type, default,
elements or description). A role may add notes of its own after the shared description lines (listed below).
"""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# role -> the prefix of its variables
ROLES = {
    "nftables": "netallow_apple_nftables",
    "firewalld": "netallow_apple_firewalld",
    "squid": "netallow_apple_squid",
    "pac": "netallow_apple_pac",
    "network_gear": "netallow_apple_gear",
}

SHARED = yaml.safe_load(r"""
select:
  description:
    - Options of the P(netallow.apple.endpoints#lookup) lookup that select the catalog entries, each one value
      or a list as in the lookup - C(section), C(service), C(platform), C(protocol), C(port), C(proxy),
      C(required), C(kind), C(host), C(ids), C(include_removed), C(include_unverified), C(include_broad) (and
      C(catalog_path) for another catalog file).
    - Unknown options and values fail with the list of valid ones; C(output), C(query) and C(since), which change
      what the lookup returns, are refused. The model is built by the P(netallow.apple.allowlist#lookup) lookup.
    - The default (V({})) is the precise selection - every current entry that is not broad. Broad entries
      (Apple's C(*.apple.com) and C(17.0.0.0/8) shortcuts, third-party platform wildcards such as
      C(*.amazonaws.com), hosts whose ports Apple does not list) need the key C(include_broad) set to V(true)
      in this dict, the lookup's option of the same name.
  type: dict
  default: {}
extra:
  description:
    - Own entries added to the selection, each a dict with C(host) and C(tcp) (and optionally C(id), C(section),
      C(udp), C(description)). They pass the same checks as catalog entries; a bad one fails and changes nothing.
  type: list
  elements: dict
  default: []
exclude_ids:
  description:
    - Entry ids to leave out; an unknown id is an error.
  type: list
  elements: str
  default: []
exclude_sections:
  description:
    - Sections to leave out; an unknown section is an error.
  type: list
  elements: str
  default: []
exclude_hosts:
  description:
    - Hosts, wildcards or CIDRs to leave out (a wildcard or CIDR also removes what it covers); each must remove at
      least one entry.
  type: list
  elements: str
  default: []
""")

# Notes a role adds after the shared description lines, and why.
ROLE_NOTES = {
    ("squid", "select"): ["squid carries TCP only, so C(protocol) is V(tcp) unless the selection sets it."],
}


def _spec(role: str) -> dict:
    with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_selection_options_are_equal_in_every_role(role, name):
    options = _spec(role)
    variable = f"{ROLES[role]}_{name}"
    assert variable in options, f"{role}: {variable} is missing from meta/argument_specs.yml"
    expected = dict(SHARED[name])
    expected["description"] = SHARED[name]["description"] + ROLE_NOTES.get((role, name), [])
    assert options[variable] == expected


def test_every_role_that_builds_a_model_has_the_block():
    """A role whose tasks build a model must be listed above, so its copy is checked too."""
    builders = set()
    for role in sorted(os.listdir(os.path.join(ROOT, "roles"))):
        tasks = os.path.join(ROOT, "roles", role, "tasks")
        for name in os.listdir(tasks) if os.path.isdir(tasks) else ():
            with open(os.path.join(tasks, name), encoding="utf-8") as handle:
                if "netallow.apple.allowlist" in handle.read():
                    builders.add(role)
    assert builders == set(ROLES)


def test_role_notes_extend_shared_options_only():
    assert all(role in ROLES and name in SHARED for role, name in ROLE_NOTES)


def _documented_options(path: str) -> set:
    """Option names of a plugin's or doc fragment's DOCUMENTATION block, read from the source without importing it."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return set(yaml.safe_load(ast.literal_eval(node.value)).get("options") or {})
    raise AssertionError(f"{path} has no DOCUMENTATION block")


def test_select_description_names_every_selection_option_of_the_lookup():
    """The roles' select documentation names exactly the selectors: the shared fragment's and the lookup's own.

    The selectors doc fragment holds the one description of each selector. Role argument specs cannot include a doc
    fragment, so the roles' description names the selectors, and this test keeps that list equal to the documented
    options: a selector added to the fragment or the lookup must be named in the roles' docs, and the other way round.
    """
    selectors = _documented_options("plugins/doc_fragments/selectors.py")
    lookup_own = _documented_options("plugins/lookup/endpoints.py")
    selection = (selectors | lookup_own) - {"_terms", "output", "query", "since"}
    named = set(re.findall(r"C\((\w+)\)", SHARED["select"]["description"][0]))
    assert named == selection, (f"named in the roles' docs only: {sorted(named - selection)}; "
                                f"documented but not named: {sorted(selection - named)}")

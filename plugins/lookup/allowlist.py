# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: allowlist
author: netallow.apple contributors (@netallow)
version_added: 2.1.0
short_description: Build the allow-list model from a catalog selection, with extras and exclusions
description:
  - Selects catalog entries with the options of the P(netallow.apple.endpoints#lookup) lookup given in O(select)
    (or takes O(entries) instead) and turns them into the allow-list model with the
    P(netallow.apple.to_allowlist#filter) filter, in one step. It is how the collection's roles build their model.
  - O(select) holds selection options only. C(output), C(query) and C(since) change what the endpoints lookup
    returns and are refused with the list of valid selection options; unknown options and values fail as in the
    endpoints lookup.
  - The model records the version of the catalog the entries were selected from (the file given as
    C(catalog_path) in O(select), if any).
  - Use C(lookup) (not C(query)) to receive the model as a dict.
options:
  select:
    description:
      - Options of the P(netallow.apple.endpoints#lookup) lookup that select the catalog entries, for example
        C(section), C(platform), C(include_broad) or C(catalog_path).
      - The default (V({})) is the precise selection - every current entry that is not broad.
    type: dict
    default: {}
  entries:
    description:
      - Entries to use instead of a catalog selection, in the format the endpoints lookup returns (at least C(id),
        C(section), C(host), C(tcp), C(udp)). They pass the same checks as catalog data.
      - Mutually exclusive with a non-empty O(select).
    type: list
    elements: dict
  extra:
    description: Own entries added to the selection (C(host), C(tcp), C(udp), optional C(id), C(section)), checked like
      catalog data.
    type: list
    elements: dict
    default: []
  exclude_ids:
    description: Entry ids to leave out; an unknown id is an error.
    type: list
    elements: str
    default: []
  exclude_sections:
    description: Sections to leave out; an unknown section is an error.
    type: list
    elements: str
    default: []
  exclude_hosts:
    description: Hosts, wildcards or CIDRs to leave out.
    type: list
    elements: str
    default: []
  select_name:
    description:
      - The name error messages give O(select), so that a role's error names the variable its user set.
    type: str
    default: select
seealso:
  - plugin: netallow.apple.endpoints
    plugin_type: lookup
  - plugin: netallow.apple.to_allowlist
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The model of what enrolled Macs need for device management, minus one host
  ansible.builtin.set_fact:
    apple_model: >-
      {{ lookup('netallow.apple.allowlist', select={'section': 'devicemanagement', 'platform': 'macos'},
                exclude_hosts=['gdmf.apple.com']) }}

- name: Rendered straight into a format
  ansible.builtin.copy:
    content: "{{ lookup('netallow.apple.allowlist', select={'section': 'icloud'}) | netallow.apple.render('squid') }}"
    dest: /etc/squid/conf.d/apple.conf
    mode: "0644"
"""

RETURN = r"""
_raw:
  description:
    - The allow-list model, as the P(netallow.apple.to_allowlist#filter) filter returns it (one dict).
  type: list
  elements: dict
"""

import os

from ansible.constants import config
from ansible.errors import AnsibleError, AnsibleLookupError, AnsibleOptionsError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import AllowlistError, build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError, load_catalog

_ENDPOINTS = "netallow.apple.endpoints"
# Options of the endpoints lookup that change the shape of what it returns rather than which entries it returns.
_OUTPUT_OPTIONS = ("output", "query", "since")


def _selection_options(endpoints) -> list[str]:
    """The endpoints lookup's documented options that select entries (read from its loaded documentation)."""
    definitions = config.get_configuration_definitions("lookup", endpoints._load_name) or {}
    return sorted(name for name in definitions if name not in _OUTPUT_OPTIONS and not name.startswith("_"))


def check_selection(select, endpoints, select_name: str = "select") -> dict:
    """Refuse a selection that is not a dict or that carries options changing what the endpoints lookup returns."""
    if select is None:
        return {}
    if not isinstance(select, dict):
        raise AnsibleOptionsError(f"netallow.apple.allowlist: {select_name} must be a dict of "
                                  f"{_ENDPOINTS} options, got {type(select).__name__}")
    outputs = [name for name in _OUTPUT_OPTIONS if name in select]
    if outputs:
        raise AnsibleOptionsError(
            f"{select_name}: {', '.join(outputs)} would change what the {_ENDPOINTS} lookup returns; "
            f"selection options: {', '.join(_selection_options(endpoints))}")
    return dict(select)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError(f"netallow.apple.allowlist: takes no terms, got {terms!r}; "
                                     "put the selection in the 'select' option")
        # ansible-core 2.21 ignores unknown keyword arguments: a misspelled exclusion must not be dropped silently.
        known = ("select", "entries", "extra", "exclude_ids", "exclude_sections", "exclude_hosts", "select_name")
        unknown = sorted(set(kwargs) - set(known))
        if unknown:
            raise AnsibleOptionsError(f"netallow.apple.allowlist: unknown option(s) {', '.join(unknown)}; "
                                      f"valid options: {', '.join(sorted(known))}")
        try:
            self.set_options(var_options=variables, direct=kwargs)
        except AnsibleOptionsError as exc:
            raise AnsibleOptionsError(f"netallow.apple.allowlist: {to_native(exc)}") from exc
        select_name = self.get_option("select_name")
        entries = self.get_option("entries")
        # Loading the endpoints lookup also loads its documented options, which the selection check lists.
        endpoints = lookup_loader.get(_ENDPOINTS, loader=self._loader, templar=self._templar)
        select = check_selection(self.get_option("select"), endpoints, select_name)
        if entries is not None and select:
            raise AnsibleOptionsError(
                f"netallow.apple.allowlist: entries replaces the catalog selection, so {select_name} "
                f"({select!r}) would be ignored: set only one of them")
        if entries is None:
            try:
                entries = endpoints.run([], variables, **select)
            except AnsibleError as exc:
                raise AnsibleOptionsError(f"{select_name}: {to_native(exc.message)}") from exc
        try:
            catalog_path = select.get("catalog_path")
            catalog_version = load_catalog(os.path.expanduser(catalog_path) if catalog_path else None).version
            model = build_allowlist(
                entries,
                extra=self.get_option("extra") or (),
                exclude_ids=self.get_option("exclude_ids") or (),
                exclude_sections=self.get_option("exclude_sections") or (),
                exclude_hosts=self.get_option("exclude_hosts") or (),
                catalog_version=catalog_version,
            )
        except (AllowlistError, CatalogError) as exc:
            raise AnsibleLookupError(f"netallow.apple.allowlist: {exc}") from exc
        return [model]

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import AllowlistError, build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError, load_catalog


def to_allowlist(entries, extra=None, exclude_ids=None, exclude_sections=None, exclude_hosts=None,
                 catalog_version=None):
    """Catalog entries (+ extras, - exclusions) → the allow-list model of docs/catalog-format.md."""
    if not isinstance(entries, list):
        raise AnsibleFilterError(
            f"netallow.apple.to_allowlist: the input must be a list of catalog entries, got {type(entries).__name__}"
        )
    try:
        if catalog_version is None:
            catalog_version = load_catalog().version
        return build_allowlist(
            entries,
            extra=extra or (),
            exclude_ids=exclude_ids or (),
            exclude_sections=exclude_sections or (),
            exclude_hosts=exclude_hosts or (),
            catalog_version=catalog_version,
        )
    except (AllowlistError, CatalogError) as exc:
        raise AnsibleFilterError(f"netallow.apple.to_allowlist: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"to_allowlist": to_allowlist}

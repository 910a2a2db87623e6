# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils._export import ExportError, to_csv, to_markdown


def to_catalog_csv(entries, language="en"):
    try:
        return to_csv(entries, language=language)
    except ExportError as exc:
        raise AnsibleFilterError(f"netallow.apple.to_catalog_csv: {exc}") from exc


def to_catalog_markdown(entries, sections=None, language="en", title="Apple network requirements"):
    try:
        return to_markdown(entries, sections=sections, language=language, title=title)
    except ExportError as exc:
        raise AnsibleFilterError(f"netallow.apple.to_catalog_markdown: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"to_catalog_csv": to_catalog_csv, "to_catalog_markdown": to_catalog_markdown}

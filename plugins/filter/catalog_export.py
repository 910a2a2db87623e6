# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog_page
from ansible_collections.netallow.apple.plugins.plugin_utils._export import (
    ExportError,
    to_changes_markdown,
    to_csv,
    to_markdown,
)


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


def to_catalog_html(entries, sections=None, language="en", title="Apple network requirements", info=None):
    if sections is not None and not isinstance(sections, dict):
        raise AnsibleFilterError("netallow.apple.to_catalog_html: 'sections' must be a dict, "
                                 f"got {type(sections).__name__}")
    if info is not None and not isinstance(info, dict):
        raise AnsibleFilterError(f"netallow.apple.to_catalog_html: 'info' must be a dict, got {type(info).__name__}")
    try:
        return _catalog_page.to_html(entries, sections=sections, language=language, title=title, info=info)
    except ExportError as exc:
        raise AnsibleFilterError(f"netallow.apple.to_catalog_html: {exc}") from exc


def to_catalog_changes_markdown(events, version="", since=""):
    try:
        return to_changes_markdown(events, version=version, since=since)
    except ExportError as exc:
        raise AnsibleFilterError(f"netallow.apple.to_catalog_changes_markdown: {exc}") from exc


class FilterModule:
    def filters(self):
        return {
            "to_catalog_csv": to_catalog_csv,
            "to_catalog_markdown": to_catalog_markdown,
            "to_catalog_html": to_catalog_html,
            "to_catalog_changes_markdown": to_catalog_changes_markdown,
        }

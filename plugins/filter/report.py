# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters over netallow.apple._report: reachability results of one or many hosts -> JUnit, Markdown, HTML."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog, _report


def _catalog_index():
    """Catalog entry id -> (section, service, section title), to group results by Apple service.

    The collection's own catalog; if it cannot be read, reports still work and group results by their ids.
    """
    try:
        catalog = _catalog.load_catalog()
    except _catalog.CatalogError:
        return {}
    titles = {key: ((value or {}).get("title") or {}).get("en") or key for key, value in catalog.sections.items()}
    return {ident: (entry["section"], entry.get("service"), titles.get(entry["section"], entry["section"]))
            for ident, entry in catalog.by_id.items()}


def _wrap(name, func, data, **kwargs):
    if not isinstance(kwargs.get("title", ""), str) or not isinstance(kwargs.get("host", ""), str):
        raise AnsibleFilterError(f"netallow.apple.{name}: 'title' and 'host' must be strings")
    try:
        return func(data, **kwargs)
    except _report.ReportError as exc:
        raise AnsibleFilterError(f"netallow.apple.{name}: {exc}") from exc


def to_junit(data, title="netallow.apple reachability", host="localhost"):
    return _wrap("to_junit", _report.to_junit, data, title=title, host=host)


def to_markdown(data, title="Apple services reachability", host="localhost"):
    return _wrap("to_markdown", _report.to_markdown, data, title=title, host=host, catalog_index=_catalog_index())


def to_html(data, title="Apple services reachability", host="localhost"):
    return _wrap("to_html", _report.to_html, data, title=title, host=host, catalog_index=_catalog_index())


def reachability_summary(data, host="localhost"):
    def summary(value, host):
        return _report.summarize_runs(_report.normalize_runs(value, host))

    return _wrap("reachability_summary", summary, data, host=host)


class FilterModule:
    def filters(self):
        return {
            "to_junit": to_junit,
            "to_markdown": to_markdown,
            "to_html": to_html,
            "reachability_summary": reachability_summary,
        }

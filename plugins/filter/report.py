# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters over netallow.apple._report: reachability results of one or many hosts -> JUnit, Markdown, HTML."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils import _report, _report_files


def _catalog_index():
    return _report_files.catalog_index()


def _wrap(name, func, data, **kwargs):
    if not isinstance(kwargs.get("title", ""), str) or not isinstance(kwargs.get("host", ""), str):
        raise AnsibleFilterError(f"netallow.apple.{name}: 'title' and 'host' must be strings")
    if kwargs.get("result") is not None and not isinstance(kwargs["result"], str):
        raise AnsibleFilterError(f"netallow.apple.{name}: 'result' must be the name of the variable the reachability "
                                 f"result was registered in, got {type(kwargs['result']).__name__}")
    try:
        return func(data, **kwargs)
    except _report.ReportError as exc:
        raise AnsibleFilterError(f"netallow.apple.{name}: {exc}") from exc


def to_junit(data, title="netallow.apple reachability", host="localhost", result=None, deployed=None):
    return _wrap("to_junit", _report.to_junit, data, title=title, host=host, result=result, deployed=deployed)


def to_markdown(data, title="Apple services reachability", host="localhost", result=None, deployed=None):
    return _wrap("to_markdown", _report.to_markdown, data, title=title, host=host, catalog_index=_catalog_index(),
                 result=result, deployed=deployed)


def to_html(data, title="Apple services reachability", host="localhost", result=None, deployed=None):
    return _wrap("to_html", _report.to_html, data, title=title, host=host, catalog_index=_catalog_index(),
                 result=result, deployed=deployed)


def reachability_summary(data, host="localhost", result=None):
    def summary(value, host, result):
        runs, without = _report.collect_runs(value, host, result)
        totals_and_targets = _report.summarize_runs(runs)
        totals_and_targets["totals"]["hosts_without_results"] = without
        return totals_and_targets

    return _wrap("reachability_summary", summary, data, host=host, result=result)


class FilterModule:
    def filters(self):
        return {
            "to_junit": to_junit,
            "to_markdown": to_markdown,
            "to_html": to_html,
            "reachability_summary": reachability_summary,
        }

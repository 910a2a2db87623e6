# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin for netallow.apple.catalog_diff: fetch Apple's article, parse it and diff it on the controller."""

from __future__ import annotations

import datetime
import re

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.netallow.apple.plugins.modules.catalog_diff import argument_spec
from ansible_collections.netallow.apple.plugins.plugin_utils import _article
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError, load_catalog


def source_key_for(sources: dict, url: str) -> str:
    """The catalog source an applied diff is recorded under: the edition at that URL, else the newest edition."""
    keys = _article.article_source_keys(sources)
    if not keys:
        raise _article.ArticleError("the catalog has no source for Apple's enterprise-networks article")
    for key in keys:
        if str(sources[key].get("url") or "").rstrip("/").casefold() == str(url).rstrip("/").casefold():
            return key
    return max(keys, key=lambda k: str(sources[k].get("date") or ""))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _spec, args = self.validate_argument_spec(argument_spec=argument_spec())
        month = args["month"] or datetime.date.today().strftime("%Y-%m")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise AnsibleActionFail(f"netallow.apple.catalog_diff: month {month!r} must be YYYY-MM")
        try:
            catalog = load_catalog(args["catalog"])
            text = _article.fetch_article(args["source"], proxy=args["proxy"], timeout=args["timeout"],
                                          cafile=args["ca_path"])
            reading = _article.parse_article(text, catalog.sections)
            diff = _article.diff_catalog(reading, catalog.entries, catalog.sources, catalog_version=catalog.version,
                                         source=args["source"])
            names = {key: (spec.get("title") or {}).get("en", key) for key, spec in catalog.sections.items()}
            result.update(changed=False, catalog_diff=diff, markdown=_article.diff_markdown(diff, names),
                          lines=_article.diff_lines(diff), differs=_article.has_differences(diff))
            if args["propose"]:
                version = _article.next_version(catalog.version, month)
                with open(catalog.path, encoding="utf-8") as handle:
                    current = handle.read()
                result["proposed_catalog"] = _article.apply_diff(
                    current, diff, month=month, version=version,
                    source_key=source_key_for(dict(catalog.sources), args["source"]))
                result["proposed_version"] = version
        except (_article.ArticleError, CatalogError, OSError) as exc:
            raise AnsibleActionFail(f"netallow.apple.catalog_diff: {exc}") from None
        return result

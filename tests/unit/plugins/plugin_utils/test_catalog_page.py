# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The catalog page: one row per entry, history hidden, filters built from the data, nothing loaded from elsewhere."""

from __future__ import annotations

import copy
import re

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import build_catalog, select
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog_page import to_html
from ansible_collections.netallow.apple.plugins.plugin_utils._export import ExportError
from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


@pytest.fixture(name="catalog")
def fixture_catalog():
    return build_catalog(copy.deepcopy(RAW))


def test_every_entry_is_a_row_and_history_is_hidden(catalog):
    entries = select(catalog, include_removed=True, include_unverified=True)
    page = to_html(entries)
    rows = re.findall(r"<tr id=\"entry-[^>]*>", page)
    assert len(rows) == len(entries)
    history = [e for e in entries if e["status"] != "current"]
    assert history, "the sample catalog carries history"
    assert len([r for r in rows if 'data-history="1"' in r and r.endswith(" hidden>")]) == len(history)
    assert not [r for r in rows if 'data-history="0"' in r and r.endswith(" hidden>")]


def test_filters_are_built_from_the_entries(catalog):
    entries = select(catalog)
    page = to_html(entries)
    for entry in entries:
        assert f'<option value="{entry["section"]}">' in page
        for port in entry.get("tcp") or []:
            assert f'<option value="tcp/{port}">' in page
    for element in ("q", "f-section", "f-platform", "f-port", "f-proxy", "f-required", "f-status", "f-history"):
        assert f'id="{element}"' in page


def test_self_contained_and_escaped(catalog):
    entries = select(catalog)
    hostile = dict(entries[0], description={"en": '<script src="https://evil.example/x.js"></script>'})
    page = to_html([hostile] + entries[1:], title="<b>T</b>")
    assert "<script src=" not in page
    assert "&lt;script src=" in page
    assert "<title>&lt;b&gt;T&lt;/b&gt;</title>" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_not_entries_is_an_error():
    with pytest.raises(ExportError, match="expected a list of catalog entries, got str"):
        to_html("icloud")

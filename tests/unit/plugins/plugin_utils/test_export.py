# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Catalog exports: CSV that spreadsheets read safely, Markdown grouped by section."""

from __future__ import annotations

import copy
import csv
import io

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import build_catalog, select
from ansible_collections.netallow.apple.plugins.plugin_utils._export import (
    CSV_COLUMNS,
    ExportError,
    to_csv,
    to_markdown,
)
from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


@pytest.fixture(name="catalog")
def fixture_catalog():
    return build_catalog(copy.deepcopy(RAW))


def test_csv_round_trips(catalog):
    entries = select(catalog)
    rows = list(csv.DictReader(io.StringIO(to_csv(entries))))
    assert len(rows) == len(entries)
    assert tuple(rows[0]) == CSV_COLUMNS
    push = next(r for r in rows if r["host"] == "*.push.apple.com")
    assert push["tcp"] == "443 80 5223 2197"
    assert push["proxy"] == "not stated"
    assert push["kind"] == "wildcard"
    assert next(r for r in rows if r["host"] == "albert.apple.com")["proxy"] == "yes"
    assert (push["scope"], push["port_basis"], push["broad"]) == ("domain", "listed", "no")


def test_exports_show_breadth(catalog):
    entries = select(catalog, include_broad=True)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(to_csv(entries)))}
    assert (rows["firewall.17.0.0.0-8"]["scope"], rows["firewall.17.0.0.0-8"]["broad"]) == ("shortcut", "yes")
    assert rows["software.amazonaws.com-wildcard"]["scope"] == "platform"
    assert rows["software.configuration.apple.com"]["port_basis"] == "inferred"
    text = to_markdown(entries, sections=catalog.sections)
    assert "| `17.0.0.0/8` | shortcut, inferred ports (broad) |" in text
    assert "| `*.amazonaws.com` | platform (broad) |" in text
    assert "| `configuration.apple.com` | host, inferred ports (broad) |" in text
    assert "| `albert.apple.com` | host | 443 |" in text


def test_csv_neutralises_formulas(catalog):
    entries = select(catalog, section="devicesetup")
    entries[0]["description"] = {"en": "=HYPERLINK(\"http://x\")"}
    rows = list(csv.DictReader(io.StringIO(to_csv(entries))))
    assert rows[0]["description"].startswith("'=")


def test_csv_language_falls_back_to_english(catalog):
    entries = select(catalog, section="devicesetup")
    entries[0]["description"] = {"en": "Activation", "fr": "Activation de l'appareil"}
    rows = list(csv.DictReader(io.StringIO(to_csv(entries, language="fr"))))
    assert rows[0]["description"] == "Activation de l'appareil"
    assert rows[1]["description"] == "Device activation."


def test_markdown_groups_by_section_in_catalog_order(catalog):
    text = to_markdown(select(catalog), sections=catalog.sections)
    assert text.index("## Device setup (`devicesetup`)") < text.index("## MDM (`devicemanagement`)")
    assert ("| `*.push.apple.com` | domain | 443 80 5223 2197 |  | ios, ipados, tvos, macos, visionos | not stated |"
            in text)
    assert "## Software" not in text  # no current entries there: no empty table
    assert "| `*.business.apple.com` | domain | 443 80 |  | any |" in text


def test_markdown_escapes_pipes(catalog):
    entries = select(catalog, section="devicesetup")
    entries[0]["description"] = {"en": "a | b"}
    assert "a \\| b" in to_markdown(entries)


@pytest.mark.parametrize("bad", ["text", [1, 2], [{"host": "x"}], None])
def test_bad_input_is_refused(bad):
    with pytest.raises(ExportError):
        to_csv(bad)
    with pytest.raises(ExportError):
        to_markdown(bad)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The article reader: parsing every fixture, the diff's exact lines, the errors, and applying a diff."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from ansible_collections.netallow.apple.plugins.plugin_utils import _article as article
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import build_catalog, load_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "article"
ROWS = Path(__file__).resolve().parent / "fixtures"
ART = "https://support.apple.com/en-us/101555"


def _page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _entry(entry_id, section, host, tcp=(443,), udp=(), sources=("art",), proxy=None, platforms=None):
    return {"id": entry_id, "section": section, "service": "svc", "host": host, "tcp": list(tcp), "udp": list(udp),
            "platforms": list(platforms or ["ios", "ipados", "macos", "tvos", "visionos"]), "proxy": proxy,
            "required": True, "description": {"en": "x"}, "status": "current", "added": "2023",
            "last_seen": "2025-12", "removed": None, "renamed_to": None, "sources": list(sources), "probe": None,
            "notes": None, "scope": "domain" if host.startswith("*.") else "host", "port_basis": "listed",
            **({"no_probe_reason": "not reviewed"} if host.startswith("*.") else {})}


SAMPLE = {
    "catalog_version": "2026.3.0",
    "updated": "2026-03",
    "sources": {"art": {"title": "article", "url": ART, "language": "en", "date": "2026-03"},
                "serverhosts": {"title": "server hosts", "url": "https://support.apple.com/en-us/HT201999",
                                "language": "en", "date": None},
                "facetime": {"title": "FaceTime", "url": "https://support.apple.com/en-us/102036",
                             "language": "en", "date": None}},
    "sections": {"devicesetup": {"title": {"en": "Device setup"}},
                 "devicemanagement": {"title": {"en": "Device management"}},
                 "icloud": {"title": {"en": "iCloud"}}, "firewall": {"title": {"en": "Firewall"}}},
    "entries": [
        _entry("devicesetup.albert.apple.com", "devicesetup", "albert.apple.com", proxy=True),
        _entry("devicesetup.time.apple.com", "devicesetup", "time.apple.com", tcp=(), udp=(123,)),
        _entry("devicemanagement.push.apple.com-wildcard", "devicemanagement", "*.push.apple.com",
               tcp=(443, 80, 5223, 2197)),
        _entry("devicemanagement.deviceenrollment.apple.com", "devicemanagement", "deviceenrollment.apple.com",
               platforms=["ios", "ipados", "macos", "tvos"]),
        # From other articles: absent from this page, and never "removed" by it.
        _entry("devicemanagement.init-p01md.apple.com", "devicemanagement", "init-p01md.apple.com",
               sources=("serverhosts",)),
        _entry("icloud.facetime.apple.com-wildcard", "icloud", "*.facetime.apple.com", sources=("facetime",)),
        _entry("icloud.mask.icloud.com", "icloud", "mask.icloud.com", udp=(443,), platforms=["ios", "ipados", "macos"]),
        # Also listed by another article: the enterprise article alone does not remove it.
        _entry("icloud.gateway.icloud.com", "icloud", "gateway.icloud.com", sources=("art", "serverhosts")),
    ],
}


@pytest.fixture(name="sample")
def fixture_sample():
    return build_catalog(copy.deepcopy(SAMPLE))


def _diff(page: str, catalog) -> dict:
    reading = article.parse_article(_page(page), catalog.sections)
    return article.diff_catalog(reading, catalog.entries, catalog.sources, catalog_version=catalog.version,
                                source=page)


# ------------------------------------------------------------------------------------------------ the diff's lines

def test_base_page_matches_the_sample_catalog(sample):
    diff = _diff("article-sample-base.en.html", sample)
    assert diff["read_rows"] == 5
    assert article.diff_lines(diff) == []
    assert not article.has_differences(diff)


def test_one_added_one_removed_one_changed_gives_exactly_three_lines(sample):
    diff = _diff("article-sample-one-each.en.html", sample)
    assert article.diff_lines(diff) == [
        "+ devicemanagement gdmf.apple.com tcp=[443] udp=[]",
        "- devicemanagement deviceenrollment.apple.com",
        "~ devicesetup albert.apple.com tcp: [443] -> [80, 443]",
    ]
    assert diff["added"] == [{"section": "devicemanagement", "host": "gdmf.apple.com", "tcp": [443], "udp": [],
                              "platforms": ["ios", "ipados", "macos", "tvos"], "proxy": True,
                              "text": "Used by an MDM server to identify which software updates are available"}]
    assert diff["removed"] == [{"section": "devicemanagement", "host": "deviceenrollment.apple.com",
                                "id": "devicemanagement.deviceenrollment.apple.com"}]
    assert diff["changed"][0]["field"] == "tcp" and diff["changed"][0]["old"] == [443]
    assert set(diff) >= {"catalog_version", "source", "read_rows", "added", "removed", "changed",
                         "unknown_sections", "unreadable_tables"}


def test_markdown_reads_like_a_change_request(sample):
    text = article.diff_markdown(_diff("article-sample-one-each.en.html", sample),
                                 {"devicemanagement": "Device management", "devicesetup": "Device setup"})
    assert "## Device management (`devicemanagement`)" in text
    assert "| `gdmf.apple.com` | TCP 443 | ios, ipados, macos, tvos | yes | Used by an MDM server" in text
    assert "| `deviceenrollment.apple.com` | `devicemanagement.deviceenrollment.apple.com` |" in text
    assert "| `albert.apple.com` | tcp | [443] | [80, 443] | Device activation |" in text
    assert "Reviewed by:" in text


def test_footnote_in_sup_and_tcp_udp_rows(sample):
    rows = article.parse_article(_page("article-sample-base.en.html"), sample.sections)["rows"]
    by_host = {r["host"]: r for r in rows}
    assert by_host["time.apple.com"]["udp"] == [123] and by_host["time.apple.com"]["tcp"] == []
    assert by_host["mask.icloud.com"]["tcp"] == [443] and by_host["mask.icloud.com"]["udp"] == [443]
    assert by_host["albert.apple.com"]["proxy"] is True and by_host["time.apple.com"]["proxy"] is None


# ------------------------------------------------------------------------------------------------ every fixture

@pytest.fixture(name="catalog", scope="module")
def fixture_catalog():
    return load_catalog()


def test_french_2024_page_reads_every_transcribed_row(catalog):
    rows_2024 = yaml.safe_load((ROWS / "source_rows_2024_11.yml").read_text(encoding="utf-8"))["rows"]
    reading = article.parse_article(_page("article-2024-11.fr.html"), catalog.sections)
    assert reading["unknown_sections"] == [] and reading["unreadable_tables"] == []
    assert len(reading["rows"]) == len(rows_2024) == 139
    got = [(r["section"], r["host"]) for r in reading["rows"]]
    want = [(r["section"], r["host"].split("/")[0]) for r in rows_2024]
    assert got == want
    by_host = {(r["section"], r["host"]): r for r in reading["rows"]}
    # The errata of the French edition, read as meant.
    assert by_host[("appscontent", "sylvan.apple.com")]["tcp"] == [80, 443]
    assert by_host[("businessschool", "upload.appleschoolcontent.com")]["tcp"] == [22]
    gs = by_host[("devicesetup", "gs.apple.com")]
    assert gs["proxy"] is True and gs["description"] == "" and gs["notes"]
    assert by_host[("devicesetup", "time-macos.apple.com")]["platforms"] == ["macos"]
    assert by_host[("businessschool", "idmsa.apple.com")]["platforms"] == []
    assert by_host[("businessschoolusers", "ws-ee-maidsvc.icloud.com")]["section"] == "businessschoolusers"


def test_french_2024_page_against_the_catalog_shows_the_later_history(catalog):
    diff = _diff("article-2024-11.fr.html", catalog)
    added = {(a["section"], a["host"]) for a in diff["added"]}
    removed = {(r["section"], r["host"]) for r in diff["removed"]}
    # Apple removed ns.itunes.apple.com and renamed two hosts after November 2024: the old page still has them.
    assert ("software", "ns.itunes.apple.com") in added
    assert ("taptopay", "phonesubmissions.apple.com") in added
    assert ("taptopay", "iphonesubmissions.apple.com") in removed
    assert ("businessschool", "api-business.apple.com") in removed
    # Entries from the server-hosts article and the FaceTime/iMessage sources are never removed by this article.
    article_keys = set(article.article_source_keys(catalog.sources))
    other = {e["id"] for e in catalog.entries if not set(e["sources"]) <= article_keys}
    assert other and not other & {r["id"] for r in diff["removed"]}


def test_dutch_2023_page_is_read_by_heading_text(catalog):
    rows_2023 = yaml.safe_load((ROWS / "source_rows_2023_nl.yml").read_text(encoding="utf-8"))["rows"]
    reading = article.parse_article(_page("article-2023.nl.html"), catalog.sections)
    assert reading["unknown_sections"] == [] and reading["unreadable_tables"] == []
    assert [(r["section"], r["host"]) for r in reading["rows"]] == [(r["section"], r["host"]) for r in rows_2023]
    diff = _diff("article-2023.nl.html", catalog)
    # Three columns only: no platform or proxy changes are claimed from a page that does not state them.
    assert {c["field"] for c in diff["changed"]} <= {"tcp", "udp"}
    assert ("appleaccount", "appleid.apple.com") in {(a["section"], a["host"]) for a in diff["added"]}


def test_real_zh_cn_fragment_is_refused_as_a_page_without_tables(catalog):
    with pytest.raises(article.ArticleError, match="no tables"):
        article.parse_article(_page("article-2025-12.zh-cn.fragment.html"), catalog.sections)


def test_unknown_heading_and_unreadable_table_are_listed_not_dropped(catalog):
    page = ('<h2 class="gb-header">设备设置</h2><table><tr><th>主机</th><th>端口</th><th>协议</th></tr>'
            '<tr><td>albert.apple.com</td><td>443</td><td>TCP</td></tr></table>'
            '<h2 id="devicesetup">Device setup</h2><table><tr><th>Name</th><th>Value</th></tr>'
            '<tr><td>a</td><td>b</td></tr></table>'
            '<h2 id="software">Software</h2><table><tr><th>Hosts</th><th>Ports</th><th>Protocol</th></tr>'
            '<tr><td>swscan.apple.com</td><td>four</td><td>TCP</td></tr></table>')
    reading = article.parse_article(page, catalog.sections)
    assert reading["rows"] == []
    assert reading["unknown_sections"] == [{"table": 1, "heading": "设备设置", "id": "", "rows": 1}]
    reasons = [u["reason"] for u in reading["unreadable_tables"]]
    assert reasons == ["no host and ports columns found", "swscan.apple.com: 'four' is not a port or a port range"]
    diff = article.diff_catalog(reading, catalog.entries, catalog.sources)
    assert article.has_differences(diff)


# ------------------------------------------------------------------------------------------------ cells

@pytest.mark.parametrize("cell, host, expected", [
    ("443, 80", "", [443, 80]),
    ("3478-3497", "", ["3478-3497"]),
    ("16384\u201316387", "", ["16384-16387"]),
    ("1231", "", [123]),
    ("52231", "", [5223]),
    ("80, 433", "sylvan.apple.com", [80, 443]),
    ("5223 et 443", "", [5223, 443]),
    ("—", "", []),
])
def test_port_cells(cell, host, expected):
    assert article.parse_ports(cell, host)[0] == expected


@pytest.mark.parametrize("cell", ["70000", "443-80", "https"])
def test_bad_port_cells(cell):
    with pytest.raises(ValueError, match=repr(cell)):
        article.parse_ports(cell)


@pytest.mark.parametrize("cell, expected", [("TCP", ["tcp"]), ("TCP, UDP", ["tcp", "udp"]), ("SSH", ["tcp"]),
                                            ("UDP", ["udp"]), ("TCP et UDP", ["tcp", "udp"]), ("", ["tcp"])])
def test_protocol_cells(cell, expected):
    assert article.parse_protocols(cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("iOS, iPadOS, tvOS, macOS et visionOS", ["ios", "ipados", "macos", "tvos", "visionos"]),
    ("Alleen macOS", ["macos"]), ("-", []), ("iOS a iPadOS", ["ios", "ipados"])])
def test_platform_cells(cell, expected):
    assert article.parse_platforms(cell) == expected


def test_columns_by_meaning_not_position(catalog):
    page = ('<h2 id="devicesetup">x</h2><table><tr><th>Supports proxies</th><th>Protocol</th><th>Hosts</th>'
            '<th>OS</th><th>Port</th><th>Description</th></tr>'
            '<tr><td>Ano</td><td>UDP</td><td>time.apple.com</td><td>macOS</td><td>123</td><td></td></tr></table>')
    row = article.parse_article(page, catalog.sections)["rows"][0]
    assert (row["host"], row["udp"], row["tcp"], row["proxy"], row["platforms"]) == (
        "time.apple.com", [123], [], True, ["macos"])


# ------------------------------------------------------------------------------------------------ errors

@pytest.mark.parametrize("page, message", [
    ("<html><body><h1>Sign in</h1><form><input name=user></form></body></html>", "no tables"),
    ("<h2 id='devicesetup'>Device setup</h2><table><tr><th>Hosts</th><th>Ports</th>", "never closed"),
    ("\x00\x01PK", "binary"),
])
def test_bad_pages_fail_clearly(catalog, page, message):
    with pytest.raises(article.ArticleError, match=message):
        article.parse_article(page, catalog.sections)


def test_fetch_refuses_bad_sources(tmp_path):
    with pytest.raises(article.ArticleError, match="must be an https:// URL"):
        article.fetch_article("http://support.apple.com/en-us/101555")
    with pytest.raises(article.ArticleError, match="cannot read"):
        article.fetch_article(str(tmp_path / "missing.html"))
    with pytest.raises(article.ArticleError, match="timeout"):
        article.fetch_article("https://127.0.0.1:9/", timeout=0)
    with pytest.raises(article.ArticleError, match=r"proxy: 'ftp://u:\*\*\*@p:21'"):
        article.fetch_article("https://127.0.0.1:9/", proxy="ftp://u:secret@p:21")
    page = tmp_path / "page.html"
    page.write_text(_page("article-sample-base.en.html"), encoding="utf-8")
    assert "albert.apple.com" in article.fetch_article(str(page))


# ------------------------------------------------------------------------------------------------ apply

def _catalog_text(raw: dict) -> str:
    """The sample in vars/catalog.yml's layout: one key per line, entries indented by two then four spaces."""
    head = yaml.safe_dump({k: raw[k] for k in ("catalog_version", "updated", "sources", "sections")}, sort_keys=False)
    lines = [head.rstrip(), "entries:"]
    for entry in raw["entries"]:
        for index, (key, value) in enumerate(entry.items()):
            lines.append(("  - " if index == 0 else "    ") + f"{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def test_apply_writes_exactly_the_diff_and_the_result_validates(sample):
    text = _catalog_text(copy.deepcopy(SAMPLE))
    assert yaml.safe_load(text)["entries"][0]["id"] == "devicesetup.albert.apple.com"
    diff = _diff("article-sample-one-each.en.html", sample)
    new_text = article.apply_diff(text, diff, month="2026-04", version="2026.4.0", source_key="art")
    new = build_catalog(yaml.safe_load(new_text))
    assert new.version == "2026.4.0"
    assert new.by_id["devicesetup.albert.apple.com"]["tcp"] == [80, 443]
    assert new.by_id["devicemanagement.deviceenrollment.apple.com"]["status"] == "removed"
    added = new.by_id["devicemanagement.gdmf.apple.com"]
    assert (added["status"], added["added"], added["sources"]) == ("current", "2026-04", ["art"])
    # Applying it leaves nothing to report.
    again = article.diff_catalog(article.parse_article(_page("article-sample-one-each.en.html"), new.sections),
                                 new.entries, new.sources)
    assert article.diff_lines(again) == []


@pytest.mark.parametrize("version, month, expected", [("2026.3.0", "2026-03", "2026.3.1"),
                                                      ("2026.3.4", "2026-04", "2026.4.0"),
                                                      ("2025.12.2", "2026-01", "2026.1.0")])
def test_next_version(version, month, expected):
    assert article.next_version(version, month) == expected


def test_next_version_refuses_going_back():
    with pytest.raises(article.ArticleError, match="older"):
        article.next_version("2026.3.0", "2026-02")


def test_parse_and_diff_of_a_full_page_reads_every_row(catalog):
    # Its speed is measured in benchmarks/bench_article.py, not asserted here.
    text = _page("article-2024-11.fr.html")
    diff = article.diff_catalog(article.parse_article(text, catalog.sections), catalog.entries, catalog.sources)
    assert diff["read_rows"] == 139

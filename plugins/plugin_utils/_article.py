# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read Apple's enterprise-networks article (support article 101555, formerly HT210060) and compare it with the catalog.

Three pure steps, each unit-tested:

- :func:`parse_article` takes the page's HTML text and returns the table rows it holds, in any language: sections
  are found by the heading's ``id`` where Apple gives one, otherwise by the heading text in any of the catalog's
  languages; columns by their meaning (host, ports, protocol, platforms, description, proxy support), never by
  position. A heading or a table it cannot read is reported, never dropped.
- :func:`diff_catalog` compares those rows with the catalog's current entries that come from the article only.
- :func:`diff_markdown` writes the diff as a change request a reviewer signs.

:func:`fetch_article` reads the page over HTTPS (optionally through a proxy) with the standard library, and
:func:`apply_diff` writes a diff into the catalog's YAML text, entry by entry, keeping every other line as it is.
"""

from __future__ import annotations

import html.parser
import re
import socket
import ssl
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# The article's current and former numbers: a redirect to anything else is a login or captive page.
ARTICLE_NUMBERS = ("101555", "HT210060")
DEFAULT_URL = "https://support.apple.com/en-us/101555"
DIFF_FIELDS = ("tcp", "udp", "platforms", "proxy")

# Headings Apple used for tables that the catalog files under another section (the 2023 editions split some).
SECTION_ALIASES = {
    "appscontent": ("App Store", "Apple Developer", "Additional content", "Aanvullend materiaal",
                    "Contenu supplémentaire", "App features", "App-notarisatie", "App-validatie",
                    "App notarization", "App validation"),
    "appleaccount": ("Apple ID", "Identifiant Apple", "Apple-ID"),
    "devicesetup": ("Configuratie van het apparaat",),
    "dns": ("Domain Name System-omzetting", "Domain Name System resolution"),
    "businessschool": ("Apple School Manager en Apple Business Manager",
                       "Apple School Manager and Apple Business Manager",
                       "Apple Business Manager and Apple School Manager: administrators and managers"),
    "beta": ("Feedbackassistent", "Feedback Assistant"),
}

# Header words per column meaning, in the catalog's languages and Chinese. Order matters: "proxy" first, because
# the proxy column's header in French ("Prend en charge les proxys") holds no other keyword, and "ports" before
# "platforms" so "Ports" never reads as an OS column.
_COLUMN_WORDS = (
    ("proxy", ("proxy", "proxies", "proxys", "代理")),
    ("host", ("host", "hôte", "hote", "hostitel", "server", "主机", "域名")),
    ("ports", ("port", "poort", "端口")),
    ("protocol", ("protocol", "protocole", "protokol", "协议")),
    ("platforms", ("os", "système", "systeme", "besturingssysteem", "systém", "betriebssystem", "操作系统", "平台")),
    ("description", ("description", "beschrijving", "popis", "beschreibung", "描述", "说明", "用途")),
)
_YES = {"yes", "oui", "ja", "ano", "sí", "si", "是", "支持"}
_PLATFORM_RE = re.compile(r"(?<![a-z])(ipados|ios|macos|tvos|visionos|watchos|windows)(?![a-z])")
_PORT_RE = re.compile(r"^(\d+)(?:\s*[-\u2013\u2014]\s*(\d+))?\Z")
# Footnote markers printed glued to a port number in some editions (no Apple service uses the glued value).
_GLUED_FOOTNOTES = {"1231": 123, "52231": 5223}
# Typos in Apple's own tables, per host: (host, printed, meant).
_PORT_TYPOS = {("sylvan.apple.com", 433): 443}
_HOST_RE = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\Z")
_CIDR_RE = re.compile(r"^[0-9a-f:.]+/\d{1,3}\Z")


class ArticleError(ValueError):
    """The page cannot be fetched or read as the article: the message says why; nothing is written."""


# ------------------------------------------------------------------------------------------------ HTML structure

@dataclass
class _Table:
    heading: dict | None
    rows: list = field(default_factory=list)  # list of (is_header_row, [cell text])
    line: int = 0


class _ArticleHTML(html.parser.HTMLParser):
    """Collect headings (level, id, text) and tables (rows of cell texts) in document order."""

    _HEADINGS = ("h1", "h2", "h3", "h4")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list = []  # ("heading", dict) | ("table", _Table)
        self.open_tables: list[_Table] = []
        self._heading: dict | None = None
        self._cell: list[str] | None = None
        self._cell_is_header = False
        self._row: list[str] | None = None
        self._row_is_header = True
        self._skip = 0  # inside <sup>, <script> or <style>: footnote markers and code are not cell text
        self._last_heading: dict | None = None
        self.ids_seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in ("sup", "script", "style"):
            self._skip += 1
        elif tag in self._HEADINGS:
            self._heading = {"level": int(tag[1]), "id": (attributes.get("id") or "").strip(), "text": ""}
        elif tag == "table":
            table = _Table(heading=self._last_heading, line=self.getpos()[0])
            self.open_tables.append(table)
            self.items.append(("table", table))
        elif tag == "tr" and self.open_tables:
            self._row, self._row_is_header = [], True
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_is_header = [], tag == "th"
        elif self._cell is not None and (tag == "br" or (tag in ("p", "div", "li") and self._cell)):
            self._cell.append("\n")
        if attributes.get("id") and tag not in self._HEADINGS:
            self.ids_seen.append(attributes["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("sup", "script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._HEADINGS and self._heading is not None:
            self._heading["text"] = _clean(self._heading["text"])
            if self._heading["text"]:
                self.items.append(("heading", self._heading))
                self._last_heading = self._heading
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_clean("".join(self._cell)))
            self._row_is_header = self._row_is_header and self._cell_is_header
            self._cell = None
        elif tag == "tr" and self._row is not None and self.open_tables:
            if self._row:
                self.open_tables[-1].rows.append((self._row_is_header, self._row))
            self._row = None
        elif tag == "table" and self.open_tables:
            self.open_tables.pop()
            self._row = self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._heading is not None:
            self._heading["text"] += data


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\u00a0", " ").split("\n")]
    return "\n".join(line for line in lines if line)


def _fold(text: str) -> str:
    """Case, accents, apostrophes, punctuation and spaces folded away, for comparing headings across editions."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


# ------------------------------------------------------------------------------------------------ cells

def _is_yes(text: str) -> bool:
    return text.strip().casefold().rstrip(".") in _YES


def parse_ports(cell: str, host: str = "") -> tuple[list, list[str]]:
    """``'443, 80'``, ``'16384–16387'``, ``'1231'`` (a glued footnote) -> ``([443, 80], notes)``; raise on junk.

    Returns ints and ``'low-high'`` strings, in printed order without duplicates, and the corrections made.
    """
    values: list = []
    notes: list[str] = []
    for part in re.split(r"[,;/\n]|\s+(?:et|and|en|und|a|和)\s+", cell):
        printed = re.sub(r"\s*\((?:TCP|UDP)\)\s*$", "", part.strip(), flags=re.IGNORECASE)
        if not printed or printed in ("-", "—", "–", "__"):
            continue
        if printed in _GLUED_FOOTNOTES:
            notes.append(f"port {printed} read as {_GLUED_FOOTNOTES[printed]} (a footnote marker glued to the number)")
            printed = str(_GLUED_FOOTNOTES[printed])
        match = _PORT_RE.match(printed)
        if not match:
            raise ValueError(f"{printed!r} is not a port or a port range")
        low = int(match.group(1))
        if (host, low) in _PORT_TYPOS and not match.group(2):
            notes.append(f"port {low} read as {_PORT_TYPOS[(host, low)]} (a known typo in Apple's table)")
            low = _PORT_TYPOS[(host, low)]
        high = int(match.group(2)) if match.group(2) else None
        if not 1 <= low <= 65535 or (high is not None and not low < high <= 65535):
            raise ValueError(f"{printed!r} is outside 1-65535")
        value: Any = f"{low}-{high}" if high else low
        if value not in values:
            values.append(value)
    return values, notes


def parse_protocols(cell: str) -> list[str]:
    """``'TCP'``, ``'TCP, UDP'``, ``'TCP et UDP'``, ``'SSH'`` (TCP), ``'QUIC'`` (UDP); empty means TCP."""
    text = cell.upper()
    found = []
    if "TCP" in text or "SSH" in text or "HTTP" in text:
        found.append("tcp")
    if "UDP" in text or "QUIC" in text:
        found.append("udp")
    if not found and text.strip(" -—–_"):
        raise ValueError(f"{cell!r} names no transport protocol (TCP or UDP)")
    return found or ["tcp"]


def parse_platforms(cell: str) -> list[str]:
    """``'iOS, iPadOS, tvOS, macOS et visionOS'`` -> sorted catalog platform names; ``'-'`` -> ``[]``."""
    return sorted(set(_PLATFORM_RE.findall(cell.casefold())))


def _split_hosts(cell: str) -> list[str]:
    hosts = []
    for token in re.split(r"[\s,;]+", cell.strip().casefold()):
        token = token.strip().rstrip(".")
        if not token:
            continue
        if "/" in token and not _CIDR_RE.match(token):
            token = token.split("/", 1)[0]  # www.apple.com/fr: the path is per language, the host is the rule
        if _HOST_RE.match(token) or _CIDR_RE.match(token):
            hosts.append(token)
    return hosts


# ------------------------------------------------------------------------------------------------ parse

def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        words = set(re.findall(r"\w+", label.casefold()))
        folded = label.casefold()
        for meaning, keys in _COLUMN_WORDS:
            if meaning in columns:
                continue
            if any((k in words) if k.isascii() else (k in folded) for k in keys) or any(
                    k.isascii() and len(k) > 3 and any(w.startswith(k) for w in words) for k in keys):
                columns[meaning] = index
                break
    return columns


def section_titles(sections: Mapping[str, Any]) -> dict[str, str]:
    """Folded heading text -> section key, from the catalog's titles in every language and the known aliases."""
    table: dict[str, str] = {}
    for key, spec in sections.items():
        for title in (spec.get("title") or {}).values():
            table.setdefault(_fold(title), key)
        for alias in SECTION_ALIASES.get(key, ()):
            table.setdefault(_fold(alias), key)
        table.setdefault(_fold(key), key)
    return table


def _map_heading(heading: dict | None, parent: dict | None, ids: Iterable[str],
                 titles: Mapping[str, str]) -> str | None:
    if heading is None:
        return None
    for candidate in (heading, parent):
        if candidate and candidate.get("id") in ids:
            return candidate["id"]
    texts = [heading["text"]]
    if parent is not None and parent is not heading:
        texts += [parent["text"] + " " + heading["text"], parent["text"]]
    for text in texts:
        folded = _fold(text)
        if folded in titles:
            return titles[folded]
    # "Résolution DNS (Domain Name System)": the catalog title followed by a gloss.
    for text in texts:
        folded = _fold(text)
        best = max((t for t in titles if len(t) >= 6 and folded.startswith(t)), key=len, default=None)
        if best:
            return titles[best]
    return None


def parse_article(text: str, sections: Mapping[str, Any]) -> dict:
    """Read the article's tables: ``{"rows": [...], "unknown_sections": [...], "unreadable_tables": [...]}``.

    ``sections`` is the catalog's ``sections`` mapping (keys and titles per language). Each row is
    ``{section, heading, host, tcp, udp, platforms, proxy, description, columns, notes}``; ``columns`` names the
    meanings the table had, so the diff compares only what the page states. Raises :class:`ArticleError` for a
    page that holds no tables, or whose HTML leaves a table open.
    """
    if not isinstance(text, str):
        raise ArticleError(f"expected the page's HTML as text, got {type(text).__name__}")
    if "\x00" in text[:4096]:
        raise ArticleError("the page is binary data, not HTML")
    reader = _ArticleHTML()
    try:
        reader.feed(text)
        reader.close()
    except (AssertionError, ValueError) as exc:  # pragma: no cover - html.parser rarely raises
        raise ArticleError(f"the page is not readable HTML: {exc}") from exc
    if reader.open_tables:
        raise ArticleError(f"malformed HTML: the table opened at line {reader.open_tables[0].line} is never closed")
    tables = [item for kind, item in reader.items if kind == "table"]
    if not tables:
        raise ArticleError("the page holds no tables: it is not Apple's enterprise-networks article "
                           "(a login, captive or error page?)")
    titles = section_titles(sections)
    ids = set(sections)
    parents: dict[int, dict] = {}
    current_parent: dict | None = None
    for kind, item in reader.items:
        if kind == "heading":
            if item["level"] <= 2:
                current_parent = item
            parents[id(item)] = current_parent if item["level"] > 2 else item
    rows: list[dict] = []
    unknown_sections: list[dict] = []
    unreadable: list[dict] = []
    for number, table in enumerate(tables, start=1):
        heading = table.heading
        parent = parents.get(id(heading)) if heading else None
        section = _map_heading(heading, parent, ids, titles)
        heading_text = heading["text"] if heading else ""
        if parent is not None and heading is not None and parent is not heading:
            heading_text = f"{parent['text']} / {heading['text']}"
        header_index = next((i for i, (is_header, _cells) in enumerate(table.rows[:3])
                             if "host" in _columns(_cells) and "ports" in _columns(_cells)), None)
        if header_index is None:
            first = table.rows[0][1] if table.rows else []
            unreadable.append({"table": number, "heading": heading_text, "header": first,
                               "reason": "no host and ports columns found"})
            continue
        columns = _columns(table.rows[header_index][1])
        if section is None:
            unknown_sections.append({"table": number, "heading": heading_text, "id": heading.get("id") if heading
                                     else "", "rows": len(table.rows) - header_index - 1})
            continue
        for _is_header, cells in table.rows[header_index + 1:]:
            row = _read_row(cells, columns, section, heading_text)
            if isinstance(row, str):
                unreadable.append({"table": number, "heading": heading_text, "header": table.rows[header_index][1],
                                   "reason": row, "cells": cells})
            else:
                rows.extend(row)
    return {"rows": rows, "unknown_sections": unknown_sections, "unreadable_tables": unreadable}


def _read_row(cells: list[str], columns: Mapping[str, int], section: str, heading: str) -> list[dict] | str:
    def cell(meaning: str) -> str:
        index = columns.get(meaning)
        return cells[index] if index is not None and index < len(cells) else ""

    hosts = _split_hosts(cell("host"))
    if not hosts:
        return f"no host name in {cell('host')!r}"
    description, proxy_text = cell("description"), cell("proxy")
    notes = []
    if "proxy" in columns and not proxy_text.strip() and _is_yes(description):
        # The proxy answer printed in the description column, the proxy column left empty.
        notes.append("proxy answer read from the description column")
        description, proxy_text = "", description
    try:
        protocols = parse_protocols(cell("protocol"))
    except ValueError as exc:
        return str(exc)
    result = []
    for host in hosts:
        try:
            ports, port_notes = parse_ports(cell("ports"), host)
        except ValueError as exc:
            return f"{host}: {exc}"
        if not ports:
            return f"{host}: no port in {cell('ports')!r}"
        row = {"section": section, "heading": heading, "host": host,
               "tcp": list(ports) if "tcp" in protocols else [], "udp": list(ports) if "udp" in protocols else [],
               "platforms": parse_platforms(cell("platforms")), "proxy": True if _is_yes(proxy_text) else None,
               "description": "" if description.strip() in ("-", "—", "–", "__") else description,
               "columns": sorted(columns), "notes": notes + port_notes}
        result.append(row)
    return result


# ------------------------------------------------------------------------------------------------ diff

def article_source_keys(sources: Mapping[str, Any]) -> list[str]:
    """The catalog's source keys that are editions of this article (their URL names 101555 or HT210060)."""
    return [key for key, spec in sources.items()
            if any(number.casefold() in str((spec or {}).get("url") or "").casefold() for number in ARTICLE_NUMBERS)]


def _port_key(value: Any) -> str:
    return str(value)


def _sorted_ports(values: Iterable[Any]) -> list:
    def order(value):
        text = str(value)
        return int(text.split("-", maxsplit=1)[0]), text
    return sorted({_port_key(v) if isinstance(v, str) else v for v in values}, key=order)


def _merge_rows(rows: Iterable[dict]) -> dict[tuple[str, str], dict]:
    merged: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["section"], row["host"])
        if key not in merged:
            merged[key] = dict(row, tcp=list(row["tcp"]), udp=list(row["udp"]), texts=[row["description"]])
            continue
        seen = merged[key]
        for proto in ("tcp", "udp"):
            seen[proto] += [p for p in row[proto] if p not in seen[proto]]
        seen["platforms"] = sorted(set(seen["platforms"]) | set(row["platforms"]))
        seen["proxy"] = True if (seen["proxy"] or row["proxy"]) else None
        seen["texts"].append(row["description"])
    return merged


def diff_catalog(reading: Mapping[str, Any], entries: Iterable[Mapping[str, Any]], sources: Mapping[str, Any],
                 *, catalog_version: str = "", source: str = "") -> dict:
    """Compare the article's rows with the catalog's entries.

    - ``added``: a row whose host is no current (or unverified) entry of that section;
    - ``removed``: a current entry whose sources are all editions of this article, in a section the page holds,
      and whose host the page no longer lists (entries from other articles are never removed by this one);
    - ``changed``: ``tcp``, ``udp``, ``platforms`` and ``proxy`` of an entry the page lists, where the page's
      table has that column.

    Sections of the article that the page does not hold at all are listed under ``missing_sections`` rather
    than reported as removals: a truncated page must not read as Apple deleting half the catalog.
    """
    article_keys = set(article_source_keys(sources))
    rows = _merge_rows(reading["rows"])
    page_sections = {section for section, _host in rows}
    known: dict[tuple[str, str], Mapping[str, Any]] = {}
    for entry in entries:
        if entry["status"] in ("current", "unverified"):
            known.setdefault((entry["section"], entry["host"]), entry)
    added, removed, changed = [], [], []
    for (section, host), row in rows.items():
        entry = known.get((section, host))
        if entry is None:
            added.append({"section": section, "host": host, "tcp": _sorted_ports(row["tcp"]),
                          "udp": _sorted_ports(row["udp"]), "platforms": row["platforms"], "proxy": row["proxy"],
                          "text": _row_text(row)})
            continue
        for name in DIFF_FIELDS:
            column = {"tcp": "ports", "udp": "ports"}.get(name, name)
            if column not in row["columns"]:
                continue
            if name in ("tcp", "udp"):
                old, new = _sorted_ports(entry[name]), _sorted_ports(row[name])
            elif name == "platforms":
                old, new = sorted(entry["platforms"]), row["platforms"]
            else:
                old, new = entry["proxy"], row["proxy"]
            if old != new:
                changed.append({"section": section, "host": host, "field": name, "old": old, "new": new,
                                "id": entry["id"], "text": _row_text(row)})
    missing_sections = set()
    for entry in entries:
        if entry["status"] != "current" or not entry["sources"] or not set(entry["sources"]) <= article_keys:
            continue
        if (entry["section"], entry["host"]) in rows:
            continue
        if entry["section"] not in page_sections:
            missing_sections.add(entry["section"])
            continue
        removed.append({"section": entry["section"], "host": entry["host"], "id": entry["id"]})
    return {
        "catalog_version": catalog_version,
        "source": source,
        "read_rows": len(reading["rows"]),
        "added": added,
        "removed": removed,
        "changed": changed,
        "unknown_sections": list(reading.get("unknown_sections", [])),
        "unreadable_tables": list(reading.get("unreadable_tables", [])),
        "missing_sections": sorted(missing_sections),
    }


def _row_text(row: Mapping[str, Any]) -> str:
    texts = [t for t in row.get("texts", [row.get("description", "")]) if t]
    return " / ".join(dict.fromkeys(texts))


def diff_lines(diff: Mapping[str, Any]) -> list[str]:
    """One line per difference, for logs and tests: ``+ section host``, ``- section host``, ``~ section host field``."""
    lines = [f"+ {a['section']} {a['host']} tcp={a['tcp']} udp={a['udp']}" for a in diff["added"]]
    lines += [f"- {r['section']} {r['host']}" for r in diff["removed"]]
    lines += [f"~ {c['section']} {c['host']} {c['field']}: {c['old']} -> {c['new']}" for c in diff["changed"]]
    return lines


def has_differences(diff: Mapping[str, Any]) -> bool:
    return bool(diff["added"] or diff["removed"] or diff["changed"] or diff["unknown_sections"]
                or diff["unreadable_tables"])


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ports_text(tcp: Iterable[Any], udp: Iterable[Any]) -> str:
    parts = []
    if tcp:
        parts.append("TCP " + ", ".join(str(p) for p in tcp))
    if udp:
        parts.append("UDP " + ", ".join(str(p) for p in udp))
    return "; ".join(parts) or "none"


def diff_markdown(diff: Mapping[str, Any], section_names: Mapping[str, str] | None = None) -> str:
    """The diff as a change request: per section, what to add, remove or change, with Apple's text for each row."""
    names = section_names or {}
    out = ["# Catalog update request", "",
           f"- Source: {diff['source'] or 'not given'}",
           f"- Catalog version compared: {diff['catalog_version'] or 'unknown'}",
           f"- Rows read from the page: {diff['read_rows']}",
           f"- Differences: {len(diff['added'])} to add, {len(diff['removed'])} to remove, "
           f"{len(diff['changed'])} to change", ""]
    if not has_differences(diff):
        out += ["The catalog matches the article. Nothing to sign.", ""]
    sections = sorted({item["section"] for key in ("added", "removed", "changed") for item in diff[key]})
    for section in sections:
        out += [f"## {names.get(section, section)} (`{section}`)", ""]
        adds = [a for a in diff["added"] if a["section"] == section]
        if adds:
            out += ["### Add", "", "| host | ports | platforms | proxy | Apple's text |", "|---|---|---|---|---|"]
            out += [f"| `{a['host']}` | {_ports_text(a['tcp'], a['udp'])} | {', '.join(a['platforms']) or '-'} | "
                    f"{'yes' if a['proxy'] else 'not stated'} | {_md(a['text']) or '-'} |" for a in adds]
            out.append("")
        removes = [r for r in diff["removed"] if r["section"] == section]
        if removes:
            out += ["### Remove (no longer on the page)", "", "| host | catalog id |", "|---|---|"]
            out += [f"| `{r['host']}` | `{r['id']}` |" for r in removes]
            out.append("")
        changes = [c for c in diff["changed"] if c["section"] == section]
        if changes:
            out += ["### Change", "", "| host | field | catalog | page | Apple's text |", "|---|---|---|---|---|"]
            out += [f"| `{c['host']}` | {c['field']} | {_md(c['old'])} | {_md(c['new'])} | {_md(c['text']) or '-'} |"
                    for c in changes]
            out.append("")
    if diff["unknown_sections"]:
        out += ["## Headings not mapped to a catalog section", "",
                "Tables under these headings were read but not compared; map them before signing.", ""]
        out += [f"- table {u['table']}: \"{_md(u['heading'])}\" ({u['rows']} rows)" for u in diff["unknown_sections"]]
        out.append("")
    if diff["unreadable_tables"]:
        out += ["## Tables or rows that could not be read", ""]
        out += [f"- table {u['table']} under \"{_md(u['heading'])}\": {_md(u['reason'])}"
                for u in diff["unreadable_tables"]]
        out.append("")
    if diff.get("missing_sections"):
        out += ["## Catalog sections the page does not hold", "",
                "Their entries are not reported as removed; check whether Apple dropped the whole section.", ""]
        out += [f"- `{s}`" for s in diff["missing_sections"]]
        out.append("")
    out += ["---", "", "Reviewed by: ______________________  Date: __________", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ fetch

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        target = urllib.parse.urljoin(req.full_url, newurl)
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(target)
        if new.hostname == old.hostname and new.scheme == "https" and any(
                n.casefold() in new.path.casefold() for n in ARTICLE_NUMBERS):
            return super().redirect_request(req, fp, code, msg, headers, target)
        raise ArticleError(f"{req.full_url} redirected (HTTP {code}) to {target}, which is not the article: "
                           "a login or captive portal page? Nothing was compared.")


def fetch_article(source: str, *, proxy: str | None = None, timeout: float = 30.0, cafile: str | None = None,
                  max_bytes: int = 8 * 1024 * 1024) -> str:
    """Return the page's HTML text from an ``https://`` URL (through ``proxy`` if given) or a local file path.

    Redirects are followed only to the article itself on the same host. Every failure raises
    :class:`ArticleError` naming the URL and the cause (HTTP status, TLS, timeout, proxy).
    """
    if not isinstance(source, str) or not source:
        raise ArticleError(f"source: expected a URL or a file path, got {source!r}")
    parts = urllib.parse.urlsplit(source)
    if parts.scheme in ("", "file"):
        path = parts.path if parts.scheme == "file" else source
        try:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ArticleError(f"cannot read {path}: {exc.strerror}") from exc
        return _decode(data, path, max_bytes)
    if parts.scheme != "https":
        raise ArticleError(f"source: {source!r} must be an https:// URL or a file path (valid schemes: https, file)")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        raise ArticleError(f"timeout: {timeout!r} must be a number of seconds between 0 and 600")
    context = ssl.create_default_context(cafile=cafile)
    handlers: list = [urllib.request.HTTPSHandler(context=context), _NoRedirect()]
    if proxy:
        proxy_parts = urllib.parse.urlsplit(proxy)
        if proxy_parts.scheme not in ("http", "https") or not proxy_parts.hostname:
            raise ArticleError(f"proxy: {_redact(proxy)!r} must be http://host:port or https://host:port")
        handlers.append(urllib.request.ProxyHandler({"https": proxy, "http": proxy}))
    else:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(source, headers={"User-Agent": "netallow.apple catalog reader",
                                                      "Accept": "text/html"})
    where = f"{source}" + (f" through proxy {_redact(proxy)}" if proxy else "")
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            final = response.geturl()
    except ArticleError:
        raise
    except urllib.error.HTTPError as exc:
        raise ArticleError(f"{where}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLError):
            raise ArticleError(f"{where}: TLS failed ({reason.reason or reason}); the certificate is not trusted "
                               "or the connection is intercepted") from None
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise ArticleError(f"{where}: no answer within {timeout} s") from None
        raise ArticleError(f"{where}: {reason}") from None
    except (socket.timeout, TimeoutError):
        raise ArticleError(f"{where}: no answer within {timeout} s") from None
    except (ssl.SSLError, OSError) as exc:
        raise ArticleError(f"{where}: {exc}") from None
    return _decode(data, final, max_bytes)


def _redact(url: str | None) -> str:
    """A proxy URL without its password."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def _decode(data: bytes, where: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise ArticleError(f"{where}: the page is larger than {max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{where}: the page is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# ------------------------------------------------------------------------------------------------ apply

def _entry_id(section: str, host: str) -> str:
    if host.startswith("*."):
        return f"{section}.{host[2:]}-wildcard"
    return f"{section}.{host}".replace("/", "-").replace(":", ".")


def _yaml_ports(values: Iterable[Any]) -> str:
    return "[" + ", ".join(str(v) if isinstance(v, int) else f'"{v}"' for v in values) + "]"


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def apply_diff(catalog_text: str, diff: Mapping[str, Any], *, month: str, version: str, source_key: str) -> str:
    """Return the catalog's YAML text with the diff applied, every other line unchanged.

    Changed fields are rewritten in place; removed entries get ``status: removed`` and ``removed: month``; added
    entries are appended after the last entry of their section, as current entries of ``source_key``, with a
    description left for the reviewer to write. ``catalog_version`` and ``updated`` are set.
    """
    lines = catalog_text.split("\n")
    starts = {line[len("  - id: "):].strip().strip("\"'"): index
              for index, line in enumerate(lines) if line.startswith("  - id: ")}

    def block(entry_id: str) -> tuple[int, int]:
        if entry_id not in starts:
            raise ArticleError(f"the catalog has no entry {entry_id!r} to update")
        start = starts[entry_id]
        end = start + 1
        while end < len(lines) and lines[end].startswith("    "):
            end += 1
        return start, end

    def set_key(entry_id: str, key: str, value: str) -> None:
        start, end = block(entry_id)
        for index in range(start, end):
            if lines[index].startswith(f"    {key}:"):
                lines[index] = f"    {key}: {value}"
                return
        raise ArticleError(f"entry {entry_id!r} has no {key!r} line to update")

    for change in diff["changed"]:
        value = _yaml_ports(change["new"]) if change["field"] in ("tcp", "udp") else _yaml_scalar(change["new"])
        set_key(change["id"], change["field"], value)
        set_key(change["id"], "last_seen", f'"{month}"')
    for gone in diff["removed"]:
        set_key(gone["id"], "status", "removed")
        set_key(gone["id"], "removed", f'"{month}"')
    inserts: dict[int, list[str]] = {}
    for new in diff["added"]:
        section_ids = [i for i in starts if i.split(".", 1)[0] == new["section"]]
        if section_ids:
            _start, end = block(section_ids[-1])
        else:
            raise ArticleError(f"the catalog has no entry in section {new['section']!r} to place {new['host']!r} after")
        entry_id = _entry_id(new["section"], new["host"])
        if entry_id in starts:
            raise ArticleError(f"entry id {entry_id!r} already exists (as history); review {new['host']!r} by hand")
        probe = new["host"] if not new["host"].startswith("*.") and not _CIDR_RE.match(new["host"]) else None
        # A row of Apple's table: its ports are listed; a wildcard or block is the service's own until reviewed.
        scope = "host" if probe else "domain"
        no_probe = ['    no_probe_reason: "no probe name reviewed yet"'] if new["host"].startswith("*.") else []
        inserts.setdefault(end, []).extend([
            f"  - id: {entry_id}",
            f"    section: {new['section']}",
            "    service: unreviewed",
            f"    host: \"{new['host']}\"",
            f"    scope: {scope}",
            f"    tcp: {_yaml_ports(new['tcp'])}",
            f"    udp: {_yaml_ports(new['udp'])}",
            "    port_basis: listed",
            f"    platforms: {_yaml_scalar(new['platforms'])}",
            f"    proxy: {_yaml_scalar(new['proxy'])}",
            "    required: true",
            "    description:",
            "      en: Listed in Apple's article; describe in our own words before release",
            "    status: current",
            f"    added: \"{month}\"",
            f"    last_seen: \"{month}\"",
            "    removed: null",
            "    renamed_to: null",
            f"    sources: [{source_key}]",
            f"    probe: {probe or 'null'}",
            *no_probe,
            "    notes: null",
        ])
    for index in sorted(inserts, reverse=True):
        lines[index:index] = inserts[index]
    text = "\n".join(lines)
    text = re.sub(r'(?m)^catalog_version: .*$', f'catalog_version: "{version}"', text, count=1)
    text = re.sub(r'(?m)^updated: .*$', f'updated: "{month}"', text, count=1)
    return text


def next_version(version: str, month: str) -> str:
    """The ``catalog_version`` scheme ``YYYY.M.N``: a new month starts at ``.0``, the same month counts up."""
    match = re.fullmatch(r"(\d{4})\.(\d{1,2})\.(\d+)", str(version))
    month_match = re.fullmatch(r"(\d{4})-(\d{2})", str(month))
    if not match or not month_match:
        raise ArticleError(f"cannot bump catalog_version {version!r} for month {month!r} (expected YYYY.M.N, YYYY-MM)")
    year, mon = int(month_match.group(1)), int(month_match.group(2))
    if (year, mon) == (int(match.group(1)), int(match.group(2))):
        return f"{year}.{mon}.{int(match.group(3)) + 1}"
    if (year, mon) < (int(match.group(1)), int(match.group(2))):
        raise ArticleError(f"month {month!r} is older than catalog_version {version!r}")
    return f"{year}.{mon}.0"

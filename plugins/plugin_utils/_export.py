# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Catalog entries as documents for people and spreadsheets: CSV and Markdown tables grouped by section."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Mapping

CSV_COLUMNS = ("id", "section", "service", "host", "kind", "scope", "port_basis", "broad", "tcp", "udp", "platforms",
               "proxy", "required", "status", "added", "last_seen", "removed", "renamed_to", "probe", "sources",
               "description")


class ExportError(ValueError):
    """Raised for input that is not a list of catalog entries."""


def _check_entries(entries: Any) -> list[Mapping[str, Any]]:
    if not isinstance(entries, (list, tuple)):
        raise ExportError(f"expected a list of catalog entries, got {type(entries).__name__}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or "host" not in entry or "section" not in entry:
            raise ExportError(f"item {index} is not a catalog entry (a dict with at least 'section' and 'host'): "
                              f"{entry!r:.80}")
    return list(entries)


def _ports(entry: Mapping[str, Any], proto: str) -> str:
    return " ".join(str(p) for p in entry.get(proto) or [])


def _proxy(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "not stated")


def _text(entry: Mapping[str, Any], language: str) -> str:
    description = entry.get("description") or {}
    return description.get(language) or description.get("en") or ""


def _safe_cell(value: str) -> str:
    # Spreadsheets execute cells that start with = + - @ (CSV injection); catalog text never needs that.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(entries: Iterable[Mapping[str, Any]], language: str = "en") -> str:
    """One row per entry with the columns of :data:`CSV_COLUMNS`; lists are space-separated."""
    rows = _check_entries(entries)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        record = {
            **{key: entry.get(key) for key in CSV_COLUMNS},
            "tcp": _ports(entry, "tcp"),
            "udp": _ports(entry, "udp"),
            "platforms": " ".join(entry.get("platforms") or []),
            "sources": " ".join(entry.get("sources") or []),
            "proxy": _proxy(entry.get("proxy")),
            "required": "yes" if entry.get("required") else "no",
            "broad": "yes" if entry.get("broad") else "no",
            "description": _text(entry, language),
        }
        writer.writerow(_safe_cell("" if record[key] is None else str(record[key])) for key in CSV_COLUMNS)
    return buffer.getvalue()


def _breadth(entry: Mapping[str, Any]) -> str:
    """The entry's scope, with inferred ports and broadness spelled out (broad entries need include_broad)."""
    text = str(entry.get("scope") or "")
    if entry.get("port_basis") == "inferred":
        text += ", inferred ports"
    if entry.get("broad"):
        text += " (broad)"
    return text


def _md(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(entries: Iterable[Mapping[str, Any]], sections: Mapping[str, Any] | None = None,
                language: str = "en", title: str = "Apple network requirements") -> str:
    """A Markdown document with one table per section, sections in catalog order (or first-seen order)."""
    rows = _check_entries(entries)
    sections = sections or {}
    order = list(sections) + [e["section"] for e in rows if e["section"] not in sections]
    grouped: dict[str, list] = {key: [] for key in dict.fromkeys(order)}
    for entry in rows:
        grouped[entry["section"]].append(entry)
    lines = [f"# {title}", "", f"{len(rows)} entries.", ""]
    for key, members in grouped.items():
        if not members:
            continue
        section_title = ((sections.get(key) or {}).get("title") or {})
        heading = section_title.get(language) or section_title.get("en") or key
        lines += [f"## {_md(heading)} (`{key}`)", "",
                  "| Host | Scope | TCP | UDP | Platforms | Proxy | Status | Description |",
                  "|---|---|---|---|---|---|---|---|"]
        for entry in members:
            status = entry.get("status", "current")
            if entry.get("removed"):
                status += f" ({entry['removed']})"
            cells = [f"`{entry['host']}`", _breadth(entry), _ports(entry, "tcp"), _ports(entry, "udp"),
                     ", ".join(entry.get("platforms") or []) or "any", _proxy(entry.get("proxy")), status,
                     _text(entry, language)]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


CHANGE_KEYS = ("date", "change", "id", "host", "section", "detail")


def to_changes_markdown(events: Any, version: str = "", since: str = "") -> str:
    """The change feed (``output='changes'`` of the lookup) as a Markdown table, newest first, as given."""
    if not isinstance(events, (list, tuple)) or any(
            not isinstance(e, Mapping) or any(k not in e for k in CHANGE_KEYS) for e in events):
        raise ExportError(f"expected a list of change events with the keys {', '.join(CHANGE_KEYS)}")
    scope = f" since {since}" if since else ""
    lines = ["# Changes to Apple's network requirements", "",
             f"Catalog {version or 'version unknown'}: {len(events)} changes{scope}, newest first.", "",
             "| Date | Change | Host | Section | Detail |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(_md(c) for c in (e["date"], e["change"], f"`{e['host']}`", e["section"], e["detail"]))
              + " |" for e in events]
    lines.append("")
    return "\n".join(lines)

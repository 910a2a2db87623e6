# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Catalog entries as one self-contained HTML page: a table with a search box and filters.

The page carries its own style and script inline and loads nothing else (no fonts, scripts or images from
anywhere), so it can be mailed, attached to a ticket or opened from a file share. Filtering is done in the browser
over ``data-`` attributes of the rows; entries that are history (removed, renamed, unverified) are on the page but
hidden until the reader asks for them.
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Mapping

from ansible_collections.netallow.apple.plugins.plugin_utils._export import (
    _check_entries,
    _ports,
    _proxy,
    _text,
)

HISTORY_STATUSES = frozenset({"removed", "renamed", "unverified"})

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:20px;color:#1d1d1f}
h1{font-size:22px;margin:0 0 6px}.muted{color:#6e6e73}
form{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end;margin:12px 0;padding:10px;background:#f5f5f7;
border-radius:8px}
label{display:flex;flex-direction:column;font-size:12px;color:#424245}
input[type=search]{width:22em}input,select{font-size:13px;padding:3px}select{max-width:18em}
label.check{flex-direction:row;gap:4px;align-items:center}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border:1px solid #d2d2d7;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f5f5f7;position:sticky;top:0}
tr.history td{color:#6e6e73;font-style:italic}code{font-size:12px}
""".strip()

# Runs in the page: reads the form, shows the rows that match every filter, counts them.
_SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#entries tbody tr"));
  var count = document.getElementById("count");
  function value(id) { return document.getElementById(id).value; }
  function apply() {
    var words = value("q").toLowerCase().split(/\\s+/).filter(Boolean);
    var section = value("f-section"), platform = value("f-platform"), port = value("f-port");
    var proxy = value("f-proxy"), required = value("f-required"), status = value("f-status");
    var history = document.getElementById("f-history").checked;
    var shown = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (history || d.history !== "1")
        && (!section || d.section === section)
        && (!platform || (" " + d.platforms + " ").indexOf(" " + platform + " ") >= 0)
        && (!port || (" " + d.ports + " ").indexOf(" " + port + " ") >= 0)
        && (!proxy || d.proxy === proxy)
        && (!required || d.required === required)
        && (!status || d.status === status)
        && words.every(function (w) { return d.text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " entries shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
}());
""".strip()


def _options(element_id: str, label: str, values: Iterable[tuple[str, str]]) -> str:
    options = "".join(f'<option value="{html.escape(v)}">{html.escape(t)}</option>' for v, t in values)
    return (f'<label for="{element_id}">{html.escape(label)}<select id="{element_id}">'
            f'<option value="">all</option>{options}</select></label>')


def _port_tokens(entry: Mapping[str, Any]) -> list[str]:
    return [f"{proto}/{port}" for proto in ("tcp", "udp") for port in entry.get(proto) or []]


def _port_sort_key(token: str) -> tuple:
    proto, _sep, port = token.partition("/")
    first = port.split("-")[0]
    return (proto, int(first) if first.isdigit() else 0, port)


def to_html(entries: Iterable[Mapping[str, Any]], sections: Mapping[str, Any] | None = None,
            language: str = "en", title: str = "Apple network requirements",
            info: Mapping[str, Any] | None = None) -> str:
    """The page: a header, the filter form, one row per entry (history rows hidden until asked for)."""
    rows = _check_entries(entries)
    sections = sections or {}
    order = list(sections) + [e["section"] for e in rows if e["section"] not in sections]
    position = {key: index for index, key in enumerate(dict.fromkeys(order))}
    rows = sorted(rows, key=lambda e: (position[e["section"]], str(e["host"])))
    esc = html.escape

    def section_title(key: str) -> str:
        titles = (sections.get(key) or {}).get("title") or {}
        return titles.get(language) or titles.get("en") or key

    present = dict.fromkeys(e["section"] for e in rows)
    platforms = sorted({p for e in rows for p in e.get("platforms") or []})
    ports = sorted({t for e in rows for t in _port_tokens(e)}, key=_port_sort_key)
    statuses = sorted({str(e.get("status") or "current") for e in rows})
    history_count = sum(1 for e in rows if e.get("status") in HISTORY_STATUSES)
    info = info or {}
    version = f"Catalog {info['version']}" if info.get("version") else "Catalog"
    updated = f", updated {info['updated']}" if info.get("updated") else ""

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="muted">{esc(version)}{esc(updated)}: {len(rows) - history_count} current entries and '
        f"{history_count} history entries (removed, renamed or single-source; shown on request).</p>",
        '<form id="filters" role="search">',
        '<label for="q">Search (host, id, service, description)'
        '<input type="search" id="q" placeholder="e.g. push, mdm, 5223" autocomplete="off"></label>',
        _options("f-section", "Section", ((key, section_title(key)) for key in present)),
        _options("f-platform", "Platform", ((p, p) for p in platforms)),
        _options("f-port", "Protocol/port", ((t, t) for t in ports)),
        _options("f-proxy", "Proxy", (("yes", "works through a proxy"), ("not stated", "Apple does not say"),
                                      ("no", "no proxy"))),
        _options("f-required", "Required", (("yes", "required"), ("no", "optional"))),
        _options("f-status", "Status", ((s, s) for s in statuses)),
        '<label class="check" for="f-history"><input type="checkbox" id="f-history">include history</label>',
        '<output id="count" class="muted"></output>',
        "</form>",
        '<table id="entries"><thead><tr><th>Host</th><th>Section</th><th>Service</th><th>TCP</th><th>UDP</th>'
        "<th>Platforms</th><th>Proxy</th><th>Required</th><th>Status</th><th>Description</th><th>Sources</th>"
        "</tr></thead><tbody>",
    ]
    for entry in rows:
        status = str(entry.get("status") or "current")
        history = status in HISTORY_STATUSES
        status_text = status
        if entry.get("removed"):
            status_text += f" ({entry['removed']})"
        if entry.get("renamed_to"):
            status_text += f" to {entry['renamed_to']}"
        description = _text(entry, language)
        service = str(entry.get("service") or "")
        searchable = " ".join([str(entry["host"]), str(entry.get("id") or ""), service, entry["section"],
                               description, " ".join(_port_tokens(entry))]).lower()
        proxy = _proxy(entry.get("proxy"))
        required = "yes" if entry.get("required") else "no"
        platforms_text = " ".join(entry.get("platforms") or [])
        attributes = {
            "id": f"entry-{entry.get('id') or entry['host']}",
            "data-section": entry["section"],
            "data-platforms": platforms_text,
            "data-ports": " ".join(_port_tokens(entry)),
            "data-proxy": proxy,
            "data-required": required,
            "data-status": status,
            "data-history": "1" if history else "0",
            "data-text": searchable,
        }
        attrs = " ".join(f'{key}="{esc(value)}"' for key, value in attributes.items())
        css = ' class="history" hidden' if history else ""
        cells = [f"<code>{esc(str(entry['host']))}</code>", esc(section_title(entry["section"])), esc(service),
                 esc(_ports(entry, "tcp")), esc(_ports(entry, "udp")), esc(platforms_text or "any"), esc(proxy),
                 required, esc(status_text), esc(description), esc(" ".join(entry.get("sources") or []))]
        out.append(f"<tr {attrs}{css}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    out += ["</tbody></table>", f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(out) + "\n"

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the documentation site's catalog page (reStructuredText) from vars/catalog.yml: one table per section,
every entry with its ports, platforms, proxy support, status, history and sources, then the sources themselves.

Run: PYTHONPATH=<dir holding ansible_collections> python docs/site/catalog_page.py OUT.rst
"""

from __future__ import annotations

import sys

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog

LABEL = "ansible_collections.netallow.apple.docsite.catalog"


def _cell(value) -> str:
    text = " ".join(str(value if value is not None else "").split())
    # Inline markup characters would start emphasis or substitutions in a table cell.
    for char in ("\\", "*", "`", "|", "_"):
        text = text.replace(char, "\\" + char)
    return text or "-"


def _history(entry) -> str:
    parts = []
    if entry.get("added"):
        parts.append(f"added {entry['added']}")
    if entry.get("last_seen"):
        parts.append(f"last seen {entry['last_seen']}")
    if entry.get("removed"):
        parts.append(f"removed {entry['removed']}")
    if entry.get("renamed_to"):
        parts.append(f"renamed to {entry['renamed_to']}")
    return ", ".join(parts)


def render(catalog) -> str:
    lines = [f".. _{LABEL}:", "", "The catalog", "===========", "",
             f"Catalog version {catalog.version}, updated {catalog.updated}: {len(catalog.entries)} entries "
             "(current and history), generated from ``vars/catalog.yml``. The main job also writes it as "
             "``out/catalog.html``, one page with a search box and filters.", ""]
    for key, section in catalog.sections.items():
        members = [e for e in catalog.entries if e["section"] == key]
        if not members:
            continue
        title = (section.get("title") or {}).get("en") or key
        heading = f"{title} ({key})"
        lines += [heading, "-" * len(heading), "", _cell((section.get("description") or {}).get("en")), "",
                  ".. list-table::", "   :header-rows: 1", "   :widths: 22 8 8 12 7 7 12 14 10", "",
                  "   * - Host", "     - TCP", "     - UDP", "     - Platforms", "     - Proxy", "     - Required",
                  "     - Status", "     - History", "     - Sources"]
        for entry in sorted(members, key=lambda e: (e["status"] != "current", e["host"])):
            proxy = {True: "yes", False: "no"}.get(entry.get("proxy"), "not stated")
            cells = [f"``{entry['host']}``" if entry.get("host") else "-",
                     _cell(" ".join(map(str, entry.get("tcp") or []))),
                     _cell(" ".join(map(str, entry.get("udp") or []))),
                     _cell(" ".join(entry.get("platforms") or []) or "any"), proxy,
                     "yes" if entry.get("required") else "no", _cell(entry.get("status")),
                     _cell(_history(entry)), _cell(" ".join(entry.get("sources") or []))]
            lines.append(f"   * - {cells[0]}")
            lines += [f"     - {cell}" for cell in cells[1:]]
        lines.append("")
    lines += ["Sources", "-------", ""]
    for key, source in catalog.sources.items():
        if isinstance(source, dict):
            text = source.get("title") or source.get("name") or ""
            extra = ", ".join(str(source[k]) for k in ("edition", "language", "date") if source.get(k))
            link = f" `{source['url']} <{source['url']}>`__" if source.get("url") else ""
            lines.append(f"- ``{key}``: {_cell(text)}" + (f" ({_cell(extra)})" if extra else "") + link)
        else:
            lines.append(f"- ``{key}``: {_cell(source)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: catalog_page.py OUT.rst", file=sys.stderr)
        return 2
    with open(argv[0], "w", encoding="utf-8") as handle:
        handle.write(render(load_catalog()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write an English article page that lists exactly the catalog's current entries from the article, in Apple's
page structure, optionally with one host added and one port changed: the page a future Apple edition would be.

Usage: render_catalog_page.py CATALOG.yml OUT.html [--add SECTION:HOST:PORT] [--port HOST:PORTS]
"""

from __future__ import annotations

import argparse
import html

import yaml

NAMES = {"ios": "iOS", "ipados": "iPadOS", "macos": "macOS", "tvos": "tvOS", "visionos": "visionOS",
         "watchos": "watchOS", "windows": "Windows"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("catalog")
    parser.add_argument("out")
    parser.add_argument("--add", default="")
    parser.add_argument("--port", default="")
    args = parser.parse_args()
    with open(args.catalog, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    article = {k for k, s in raw["sources"].items() if "101555" in str(s.get("url")) or "HT210060" in str(s.get("url"))}
    port_host, _sep, port_value = args.port.partition(":")
    body = []
    for section, spec in raw["sections"].items():
        rows = []
        for entry in raw["entries"]:
            if entry["section"] != section or entry["status"] not in ("current", "unverified"):
                continue
            if not set(entry["sources"]) & article:
                continue
            tcp, udp = [str(p) for p in entry["tcp"]], [str(p) for p in entry["udp"]]
            if entry["host"] == port_host:
                tcp = port_value.split(",")
            # One row per protocol where TCP and UDP ports differ (as Apple prints the firewall advice).
            groups = [(", ".join(p for p, v in (("TCP", tcp), ("UDP", udp)) if v), tcp or udp)] if (
                not tcp or not udp or tcp == udp) else [("TCP", tcp), ("UDP", udp)]
            proxy = "Yes" if entry["proxy"] else "&mdash;"
            for protocol, ports in groups:
                rows.append((entry["host"], ", ".join(ports), protocol,
                             ", ".join(NAMES[p] for p in entry["platforms"]) or "-", entry["description"]["en"],
                             proxy))
        if args.add.startswith(section + ":"):
            _section, host, port = args.add.split(":")
            rows.append((host, port, "TCP", "iOS, macOS", "A new service", "&mdash;"))
        if not rows:
            continue
        body.append(f'<h2 class="gb-header" id="{section}">{html.escape(spec["title"]["en"])}</h2>')
        body.append('<div class="table-wrapper gb-table"><table class="gb-table"><tbody>')
        body.append("<tr><th>Hosts</th><th>Ports</th><th>Protocol</th><th>OS</th><th>Description</th>"
                    "<th>Supports proxies</th></tr>")
        for row in rows:
            cells = [html.escape(c) if not c.startswith("&") else c for c in row]
            body.append("<tr>" + "".join(f'<td><p class="gb-paragraph">{c}</p></td>' for c in cells) + "</tr>")
        body.append("</tbody></table></div>")
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write('<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">'
                     "<title>Use Apple products on enterprise networks</title></head><body><div id=\"sections\">\n"
                     + "\n".join(body) + "\n</div></body></html>\n")


if __name__ == "__main__":
    main()

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check every internal link of a built HTML site: the file exists, and the #anchor is an id in it.

External links (with a scheme, or protocol-relative) are not followed: the site is checked offline. Links to
the web server's root ("/..."; the theme's logo links to "/") point outside the built tree: counted, not checked.
Usage: check_site_links.py BUILD_HTML_DIR. Exit status 1 with one line per broken link.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for key in ("id", "name"):
            if attributes.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attributes[key])
        for key in ("href", "src"):
            value = attributes.get(key)
            if value is not None and (tag != "link" or key == "href"):
                self.links.append(value)


def parse(path: str) -> _Page:
    page = _Page()
    with open(path, encoding="utf-8") as handle:
        page.feed(handle.read())
    return page


def check(root: str) -> tuple[int, list[str]]:
    pages = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                path = os.path.normpath(os.path.join(folder, name))
                pages[path] = parse(path)
    broken = []
    count = 0
    server_root = 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            if link.startswith("/"):
                server_root += 1
                continue
            count += 1
            target = os.path.normpath(os.path.join(os.path.dirname(path), urllib.parse.unquote(parts.path))) \
                if parts.path else path
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            if not os.path.exists(target):
                broken.append(f"{os.path.relpath(path, root)}: {link}: no file {os.path.relpath(target, root)}")
                continue
            if parts.fragment and target.endswith(".html"):
                ids = (pages.get(target) or parse(target)).ids
                if urllib.parse.unquote(parts.fragment) not in ids:
                    broken.append(f"{os.path.relpath(path, root)}: {link}: no anchor #{parts.fragment}")
    return count, server_root, broken


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print("usage: check_site_links.py BUILD_HTML_DIR", file=sys.stderr)
        return 2
    count, server_root, broken = check(argv[0])
    for line in broken:
        print(line)
    print(f"internal links checked: {count}, broken: {len(broken)} (links to the server root, not checked: "
          f"{server_root})")
    return 1 if broken or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

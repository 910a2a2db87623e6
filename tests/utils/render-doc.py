# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the render filter's format and option documentation into plugins/filter/render.yml from the declarations.

Run from the collection copy (``make render-doc``): ``render-doc.py OUTPUT``. The description keeps its items up to
and including the line ``The formats, in order, each with its options, follow.``; everything after is generated.
"""

from __future__ import annotations

import sys
import textwrap

from ansible_collections.netallow.apple.plugins.filter.render import format_docs

MARKER = "    - The formats, in order, each with its options, follow.\n"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, sep, rest = text.partition(MARKER)
    if not sep:
        raise SystemExit(f"{path}: the line {MARKER.strip()!r} is missing")
    tail = rest[rest.index("  positional:"):]
    items = []
    for item in format_docs():
        body = textwrap.fill(item, width=116, initial_indent="      ", subsequent_indent="      ",
                             break_long_words=False, break_on_hyphens=False)
        items.append("    - >-\n" + body + "\n")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + sep + "".join(items) + tail)


if __name__ == "__main__":
    main(sys.argv[1])

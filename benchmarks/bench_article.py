# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: read a full article page and diff it with the shipped catalog (goal: well under a second).

Two pages: the French 2024 edition as the tests hold it (Apple's structure, 139 rows), and the same page with the
inline styles a browser copy carries on every element (as in the public zh-cn paste the fixtures note), which is
the size of a live page with Apple's markup.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_article.py
"""

from __future__ import annotations

import os
import re
import statistics

from _bench import publish, samples_ms

from ansible_collections.netallow.apple.plugins.plugin_utils import _article
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog

ROUNDS = 20
HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, "..", "tests", "unit", "plugins", "plugin_utils", "fixtures", "article",
                    "article-2024-11.fr.html")
STYLE = (' style="margin: 0.8em 0px 0px; padding: 0px; quotes: &quot;\u201c&quot; &quot;\u201d&quot;; '
         'font-style: normal; overflow-wrap: break-word; color: rgb(29, 29, 31); '
         'font-family: &quot;SF Pro Text&quot;, &quot;SF Pro Icons&quot;, &quot;Helvetica Neue&quot;, '
         'Helvetica, Arial, sans-serif; font-size: 17px; font-weight: 400;"')


def main() -> None:
    catalog = load_catalog()
    with open(PAGE, encoding="utf-8") as handle:
        plain = handle.read()
    styled = re.sub(r"<(p|td|th|tr|h2|h3|div|table|b)( class=\"[^\"]*\")?>", lambda m: f"<{m.group(1)}"
                    f"{m.group(2) or ''}{STYLE}>", plain)
    rows = []
    for name, text in (("French 2024 edition", plain), ("same, with a browser copy's inline styles", styled)):
        def run(text=text):
            reading = _article.parse_article(text, catalog.sections)
            return _article.diff_catalog(reading, catalog.entries, catalog.sources)
        diff = run()
        samples = samples_ms(run, ROUNDS)
        rows.append(f"| {name} | {len(text.encode()) // 1024} KiB | {diff['read_rows']} | "
                    f"{statistics.median(samples):.1f} ms | {max(samples):.1f} ms |")
    publish("article", "\n".join([
        f"Parse a full article page and diff it with the catalog ({len(catalog.entries)} entries), "
        f"median and worst of {ROUNDS} runs:", "",
        "| page | size | rows | median | worst |", "|---|---|---|---|---|", *rows, "",
        "Goal: well under a second."]), title="Article reader")


if __name__ == "__main__":
    main()

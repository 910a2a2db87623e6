# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the whole catalog through the allow-list model into every registered format, against Jinja.

1. Time to build the model (to_allowlist) from every current entry and to render it in every format of the render
   dispatcher (every artifact that playbooks/render.yml writes). Goal: the total under 1 s.
2. Side by side, the obvious alternative for one output: a role template that loops over the entries in Jinja and
   checks each name against every wildcard (the domain list for an external dynamic list), compared with
   to_allowlist + render('lists'). Both must produce the same text, which the benchmark checks before timing.
   Plain Jinja2 is used for the template, which is faster than going through Ansible's templar, so the
   comparison favours the alternative.

Run: PYTHONPATH=<dir holding ansible_collections> python benchmarks/bench_render.py
"""

from __future__ import annotations

import sys

import jinja2
from _bench import median_ms, publish

from ansible_collections.netallow.apple.plugins.filter import render as render_plugin
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import load_catalog, select

ROUNDS = 30
GOAL_SECONDS = 1.0

# What a role author writes without the model: per entry, a loop over every wildcard.
NAIVE_TEMPLATE = """\
{%- set ns = namespace(items=[]) -%}
{%- for e in entries if (e.tcp or e.udp) and e.kind != 'cidr' -%}
  {%- set name = e.host[2:] if e.kind == 'wildcard' else e.host -%}
  {%- set covered = namespace(value=false) -%}
  {%- for w in entries if w.kind == 'wildcard' and (w.tcp or w.udp) -%}
    {%- if name.endswith('.' ~ w.host[2:]) -%}{%- set covered.value = true -%}{%- endif -%}
  {%- endfor -%}
  {%- set line = name ~ ' ' ~ e.host -%}
  {%- if not covered.value and line not in ns.items -%}{%- set ns.items = ns.items + [line] -%}{%- endif -%}
{%- endfor -%}
{%- for line in ns.items | sort -%}
{{ line.split(' ')[1] }}
{% endfor -%}
"""


def _median_ms(func, rounds=ROUNDS):
    return median_ms(func, rounds)


def main():
    entries = select(load_catalog())
    model = build_allowlist(entries)
    outputs = render_plugin.render_outputs(model)

    def render_everything():
        fresh = build_allowlist(entries)
        for item in outputs:
            render_plugin.render(fresh, item["format"], **item["options"])

    per_format = {}
    for name in render_plugin.available_formats():
        items = [item for item in outputs if item["format"] == name]
        per_format[name] = (len(items), _median_ms(
            lambda items=items: [render_plugin.render(model, item["format"], **item["options"]) for item in items]))

    template = jinja2.Environment(autoescape=False).from_string(NAIVE_TEMPLATE)  # noqa: S701 - plain text output
    naive = template.render(entries=entries)
    ours = render_plugin.render(model, "lists", kind="domains")
    if naive != ours:
        print("the naive template and render('lists') disagree; fix the benchmark before timing", file=sys.stderr)
        print(naive, ours, sep="\n----\n", file=sys.stderr)
        return 1

    build_ms = _median_ms(lambda: build_allowlist(entries))
    total_ms = _median_ms(render_everything)
    ours_ms = _median_ms(lambda: render_plugin.render(build_allowlist(entries), "lists", kind="domains"))
    naive_ms = _median_ms(lambda: template.render(entries=entries), rounds=5)

    rows = [
        "| step | files | median ms |",
        "|---|---:|---:|",
        f"| build the model (to_allowlist, {len(entries)} entries, {len(model['groups'])} port groups) | | "
        f"{build_ms:.2f} |",
    ]
    rows += [f"| render `{name}` | {count} | {ms:.2f} |" for name, (count, ms) in per_format.items()]
    verdict = "met" if total_ms / 1000 < GOAL_SECONDS else "MISSED"
    rows.append(f"| **total: model + every format** | {len(outputs)} | **{total_ms:.2f}** (goal < 1000: {verdict}) |")
    rows += [
        "",
        "Same output (the domain list of the whole catalog, identical text checked), side by side:",
        "",
        "| way | median ms | ratio |",
        "|---|---:|---:|",
        f"| to_allowlist + render('lists') | {ours_ms:.2f} | 1.0 |",
        f"| naive per-entry Jinja loop (plain Jinja2) | {naive_ms:.2f} | {naive_ms / ours_ms:.0f}x |",
    ]
    publish("render", "\n".join(rows), title="Rendering the whole catalog")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())

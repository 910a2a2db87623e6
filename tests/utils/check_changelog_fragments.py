# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that every changelog fragment line names its component in the collection's one style.

A line starts with ``netallow.apple.<name> <type> - `` (type: lookup, filter, test, module or role, and the named
plugin, module or role exists in this tree) or, for a change that is not one plugin, with ``catalog - ``,
``playbooks - `` or ``collection - ``. Options, values and code are written with Ansible markup (``O()``, ``V()``,
``C()``), never with RST double back-quotes. Run from the collection root:
``python tests/utils/check_changelog_fragments.py``.
"""

from __future__ import annotations

import os
import re
import sys

import yaml

GENERAL_PREFIXES = ("catalog", "playbooks", "collection")
TYPES = ("lookup", "filter", "test", "module", "role")
PREFIX = re.compile(r"^(?:netallow\.apple\.(?P<name>[a-z][a-z0-9_]*) (?P<type>" + "|".join(TYPES) + r")"
                    r"|(?P<general>" + "|".join(GENERAL_PREFIXES) + r")) - \S")
# Sections whose content is prose, not a list of component lines.
PROSE_SECTIONS = ("release_summary",)


def component_exists(root: str, name: str, kind: str) -> bool:
    """Whether the collection at ``root`` has the named plugin, module or role."""
    if kind == "role":
        return os.path.isdir(os.path.join(root, "roles", name))
    folder = {"lookup": "lookup", "filter": "filter", "test": "test", "module": "modules"}[kind]
    # Filters and tests may live in a file of another name; each one has documentation of its own name.
    return any(os.path.isfile(os.path.join(root, "plugins", folder, name + ext)) for ext in (".py", ".yml", ".yaml"))


def check_line(line: object, root: str) -> list[str]:
    """The problems of one fragment line (empty when it is well formed)."""
    if not isinstance(line, str):
        return [f"is not a string: {line!r}"]
    text = " ".join(line.split())
    problems = []
    match = PREFIX.match(text)
    if not match:
        problems.append(
            "does not start with a component prefix - 'netallow.apple.<name> <" + "|".join(TYPES) + "> - ' or "
            + ", ".join(f"'{p} - '" for p in GENERAL_PREFIXES))
    elif match.group("name") and not component_exists(root, match.group("name"), match.group("type")):
        problems.append(f"names {match.group('type')} netallow.apple.{match.group('name')}, which does not exist")
    if "``" in text:
        problems.append("uses RST double back-quotes; write O(option), V(value) or C(code)")
    return problems


def check_fragment(path: str, root: str) -> list[str]:
    """Every problem of one fragment file, each naming the file and the line's start."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path}: cannot be read as YAML: {exc}"]
    if not isinstance(document, dict):
        return [f"{path}: is not a mapping of changelog sections"]
    problems = []
    for section, lines in document.items():
        if section in PROSE_SECTIONS:
            continue
        for line in lines if isinstance(lines, list) else [lines]:
            for problem in check_line(line, root):
                problems.append(f"{path}: {section}: {str(line)[:60]!r}... {problem}")
    return problems


def main(argv: list[str]) -> int:
    root = argv[1] if len(argv) > 1 else "."
    folder = os.path.join(root, "changelogs", "fragments")
    names = sorted(n for n in os.listdir(folder) if n.endswith((".yml", ".yaml")))
    problems = [p for name in names for p in check_fragment(os.path.join(folder, name), root)]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"changelog fragments: {len(names)} checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

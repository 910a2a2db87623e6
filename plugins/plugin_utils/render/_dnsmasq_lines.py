# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one writer of dnsmasq ``nftset=`` and ``ipset=`` lines, used by every format that emits them.

dnsmasq matches a listed ``/domain/`` and every name below it, and uses only the most specific matching line: a
name's line must therefore carry the sets of every listed wildcard above it too. dnsmasq reads configuration lines
into a buffer of MAXDNAME (1025) bytes, so names sharing the same sets are packed onto lines that stay below it.
"""

from __future__ import annotations

import typing as t

# dnsmasq reads configuration lines into a buffer of MAXDNAME (1025) bytes; a longer line would be cut.
MAX_LINE = 1000


def with_covering(own: t.Mapping[str, t.Iterable], covering: t.Mapping[str, t.Iterable]) -> dict:
    """``{name: sorted targets}``: a name's own targets plus those of every wildcard domain above it.

    ``own`` maps every listed name (FQDNs and wildcard domains) to its targets, ``covering`` maps each wildcard
    domain to the targets of the groups that list it as a wildcard.
    """
    result = {}
    for name, targets in own.items():
        merged = set(targets)
        rest = name
        while "." in rest:
            rest = rest.split(".", 1)[1]
            merged.update(covering.get(rest, ()))
        result[name] = sorted(merged)
    return result


def nftset_target(family: str, table_family: str, table: str, set_name: str) -> str:
    """One ``nftset=`` target: ``<4|6>#<table family>#<table>#<set>``."""
    return f"{family}#{table_family}#{table}#{set_name}"


def lines(keyword: str, targets_by_name: t.Mapping[str, t.Sequence[str]], error: type = ValueError) -> list:
    """``<keyword>=/name/.../target,target`` lines, names sharing targets packed under MAX_LINE characters.

    ``keyword`` is ``nftset`` or ``ipset``. A name whose targets alone overflow a line raises ``error``.
    """
    by_targets: dict = {}
    for name, targets in targets_by_name.items():
        if targets:
            by_targets.setdefault(",".join(sorted(targets)), []).append(name)
    prefix = f"{keyword}="
    result: list = []
    for suffix, names in sorted(by_targets.items(), key=lambda item: min(item[1])):
        current: list = []
        for name in sorted(names):
            if len(prefix) + len(name) + len(suffix) + 3 > MAX_LINE:
                raise error(
                    f"dnsmasq line for {name!r}: longer than {MAX_LINE} characters ({suffix.count(',') + 1} sets);"
                    " use a shorter set prefix or table name, or fewer port groups")
            if current and len(prefix) + len(suffix) + sum(len(n) + 1 for n in current) + len(name) + 2 > MAX_LINE:
                result.append(f"{prefix}/{'/'.join(current)}/{suffix}")
                current = []
            current.append(name)
        if current:
            result.append(f"{prefix}/{'/'.join(current)}/{suffix}")
    return result

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deployment stamp: which catalog version and which selection produced a file the collection wrote.

Every renderer puts the stamp into its output's header (or, for firewalld, the policy's description):

    netallow.apple stamp: catalog_version=2026.3.1 selection=sha256:0123456789abcdef names=173
    netallow.apple names: albert.apple.com captive.apple.com ...

The controller writes it (``stamp_lines``) and the ``deployed`` module reads it back on managed hosts
(``read_stamp``, ``compare``). Python 3.9 and the standard library only: this runs on managed hosts.
"""

from __future__ import annotations

import hashlib
import json
import re

STAMP_RE = re.compile(r"netallow\.apple stamp: catalog_version=(?P<version>[0-9A-Za-z.+-]+|unknown) "
                      r"selection=(?P<digest>sha256:[0-9a-f]{16}) names=(?P<count>[0-9]+)")
NAMES_RE = re.compile(r"netallow\.apple names:(?P<names>[ A-Za-z0-9.*:/_-]*)")


def selection_digest(entries) -> str:
    """A short digest of what was selected: each entry's id, host and ports, order-independent."""
    rows = sorted(json.dumps([e.get("id"), e.get("host"), [str(p) for p in e.get("tcp") or ()],
                              [str(p) for p in e.get("udp") or ()]]) for e in entries)
    return "sha256:" + hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]


def make_stamp(entries, catalog_version=None) -> dict:
    entries = list(entries)
    return {"catalog_version": str(catalog_version) if catalog_version else "unknown",
            "digest": selection_digest(entries), "names": sorted({str(e.get("host")) for e in entries})}


def stamp_lines(stamp) -> list:
    """The two header lines (without a comment marker) for ``stamp`` (a dict from :func:`make_stamp`)."""
    return [f"netallow.apple stamp: catalog_version={stamp['catalog_version']} selection={stamp['digest']} "
            f"names={len(stamp['names'])}",
            "netallow.apple names: " + " ".join(stamp["names"])]


def read_stamp(text):
    """The stamp found in a file's text, or None: ``{catalog_version, digest, names}`` (names None if absent)."""
    match = STAMP_RE.search(text or "")
    if not match:
        return None
    names_match = NAMES_RE.search(text)
    names = sorted(names_match.group("names").split()) if names_match else None
    return {"catalog_version": match.group("version"), "digest": match.group("digest"), "names": names,
            "count": int(match.group("count"))}


def compare(found, current) -> dict:
    """Per file: the version and digest found, the current ones, and the names added and removed since."""
    result = {"found": found is not None,
              "catalog_version": found["catalog_version"] if found else None,
              "digest": found["digest"] if found else None,
              "current_version": current.get("catalog_version") if current else None,
              "current_digest": current.get("digest") if current else None,
              "added": [], "removed": [], "in_sync": None}
    if found is None or not current:
        return result
    result["in_sync"] = found["digest"] == current.get("digest") and \
        found["catalog_version"] == current.get("catalog_version")
    if found.get("names") is not None and current.get("names") is not None:
        old, new = set(found["names"]), set(current["names"])
        result["added"], result["removed"] = sorted(new - old), sorted(old - new)
    return result

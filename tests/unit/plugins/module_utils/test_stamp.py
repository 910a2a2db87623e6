# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deployment stamp's format, read-back and comparison (managed-host code: also runs on Python 3.9)."""

from __future__ import annotations

from ansible_collections.netallow.apple.plugins.module_utils._stamp import (
    compare,
    make_stamp,
    read_stamp,
    selection_digest,
    stamp_lines,
)

ENTRIES = [
    {"id": "ds.albert", "host": "albert.apple.com", "tcp": [443], "udp": []},
    {"id": "dm.push", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "fw.v4", "host": "17.0.0.0/8", "tcp": ["1-65535"], "udp": []},
]


def test_digest_ignores_order_and_sees_ports():
    assert selection_digest(ENTRIES) == selection_digest(list(reversed(ENTRIES)))
    changed = [dict(ENTRIES[0], tcp=[443, 80])] + ENTRIES[1:]
    assert selection_digest(changed) != selection_digest(ENTRIES)
    assert selection_digest(ENTRIES).startswith("sha256:") and len(selection_digest(ENTRIES)) == 23


def test_lines_round_trip_in_any_comment_style():
    stamp = make_stamp(ENTRIES, "2026.3.1")
    for marker in ("#", "//", ""):
        text = "header\n" + "".join(f"{marker} {line}\n" for line in stamp_lines(stamp)) + "acl x\n"
        found = read_stamp(text)
        assert found == {"catalog_version": "2026.3.1", "digest": stamp["digest"], "count": 3,
                         "names": ["*.push.apple.com", "17.0.0.0/8", "albert.apple.com"]}


def test_no_stamp_and_no_version():
    assert read_stamp("# Managed by someone else\n") is None
    assert make_stamp(ENTRIES)["catalog_version"] == "unknown"
    assert compare(None, make_stamp(ENTRIES))["found"] is False


def test_compare_names_added_and_removed():
    old = make_stamp(ENTRIES[:2], "2026.3.0")
    new = make_stamp(ENTRIES[1:] + [{"id": "ds.gdmf", "host": "gdmf.apple.com", "tcp": [443], "udp": []}],
                     "2026.3.1")
    result = compare(read_stamp("\n".join(stamp_lines(old))), new)
    assert result["in_sync"] is False
    assert (result["catalog_version"], result["current_version"]) == ("2026.3.0", "2026.3.1")
    assert result["added"] == ["17.0.0.0/8", "gdmf.apple.com"]
    assert result["removed"] == ["albert.apple.com"]
    same = compare(read_stamp("\n".join(stamp_lines(new))), new)
    assert same["in_sync"] is True and same["added"] == same["removed"] == []


def test_description_without_names_still_compares_version_and_digest():
    stamp = make_stamp(ENTRIES, "2026.3.1")
    found = read_stamp(f"<description>Apple network requirements. {stamp_lines(stamp)[0]}</description>")
    assert found["names"] is None
    result = compare(found, stamp)
    assert result["in_sync"] is True and result["added"] == [] and result["removed"] == []

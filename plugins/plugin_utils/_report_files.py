# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability reports written as files, piece by piece: a fleet's report is never one string in memory.

Each file is written to a temporary file beside it and moved into place only when its content differs; in check
mode nothing is written and the content is only compared.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile

from ansible_collections.netallow.apple.plugins.plugin_utils import _catalog, _report

# Report format -> (file extension, builder of its pieces).
FORMATS = {
    "junit": ("xml", _report.iter_junit),
    "markdown": ("md", _report.iter_markdown),
    "html": ("html", _report.iter_html),
}
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_BLOCK = 1 << 20


def catalog_index() -> dict:
    """Catalog entry id -> (section, service, section title), to group results by Apple service.

    The collection's own catalog; if it cannot be read, reports still work and group results by their ids.
    """
    try:
        catalog = _catalog.load_catalog()
    except _catalog.CatalogError:
        return {}
    titles = {key: ((value or {}).get("title") or {}).get("en") or key for key, value in catalog.sections.items()}
    return {ident: (entry["section"], entry.get("service"), titles.get(entry["section"], entry["section"]))
            for ident, entry in catalog.by_id.items()}


def report_pieces(report_format: str, data, title: str, host: str = "localhost", result: str | None = None,
                  deployed=None, index: dict | None = None):
    """The pieces of one report (``junit``, ``markdown`` or ``html``), as the filters of the same name join them."""
    if report_format not in FORMATS:
        raise _report.ReportError(f"format {report_format!r} is not one of {', '.join(FORMATS)}")
    builder = FORMATS[report_format][1]
    if report_format == "junit":
        return builder(data, title=title, host=host, result=result, deployed=deployed)
    return builder(data, title=title, host=host, result=result, deployed=deployed,
                   catalog_index=catalog_index() if index is None else index)


def _file_digest(path: str, size: int) -> str | None:
    """SHA-256 of the file at ``path`` when it has ``size`` bytes; None when it is missing or of another size."""
    try:
        if os.path.getsize(path) != size:
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def write_pieces(path: str, pieces, check_mode: bool = False, mode: int = 0o644) -> dict:
    """Write the text ``pieces`` to ``path`` through a temporary file in the same directory, moved into place only
    when the content differs from the file's (or its mode from ``mode``). In check mode, only compare.

    Returns ``{"path", "changed", "size", "sha256"}``.
    """
    digest = hashlib.sha256()
    size = 0
    partial = None
    if check_mode:
        for piece in pieces:
            data = piece.encode("utf-8")
            digest.update(data)
            size += len(data)
    else:
        descriptor, partial = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part",
                                               dir=os.path.dirname(path) or ".")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for piece in pieces:
                    data = piece.encode("utf-8")
                    handle.write(data)
                    digest.update(data)
                    size += len(data)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise
    sha256 = digest.hexdigest()
    content_changed = _file_digest(path, size) != sha256
    try:
        mode_changed = not content_changed and (os.stat(path).st_mode & 0o7777) != mode
    except OSError:
        mode_changed = False
    if partial is not None:
        if content_changed:
            os.chmod(partial, mode)
            os.replace(partial, path)
        else:
            os.unlink(partial)
            if mode_changed:
                os.chmod(path, mode)
    return {"path": path, "changed": content_changed or mode_changed, "size": size, "sha256": sha256}

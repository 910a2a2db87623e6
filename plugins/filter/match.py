# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils import _matching


def match(entries, target, port=None, protocol=None):
    """The entries that allow ``target`` (a host name, URL or IP address), optionally on ``port``/``protocol``."""
    if not isinstance(target, str):
        raise AnsibleFilterError(f"netallow.apple.match: the target must be a string, got {type(target).__name__}")
    try:
        _matching.check_entries(entries)
        return _matching.match(entries, target, port=port, protocol=protocol)
    except ValueError as exc:
        raise AnsibleFilterError(f"netallow.apple.match: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"match": match}

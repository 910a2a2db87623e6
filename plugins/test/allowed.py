# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.plugin_utils import _matching


def allowed(target, entries, port=None, protocol=None):
    """Whether some entry of ``entries`` allows ``target`` (optionally on ``port``/``protocol``)."""
    if not isinstance(target, str):
        raise AnsibleFilterError(f"netallow.apple.allowed: the target must be a string, got {type(target).__name__}")
    try:
        _matching.check_entries(entries)
        return bool(_matching.match(entries, target, port=port, protocol=protocol))
    except ValueError as exc:
        raise AnsibleFilterError(f"netallow.apple.allowed: {exc}") from exc


class TestModule:
    def tests(self):
        return {"allowed": allowed}

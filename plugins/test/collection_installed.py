# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import importlib.util
import re

from ansible.errors import AnsibleFilterError

# Galaxy's rule for namespace and collection names.
_COLLECTION_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\Z")


def collection_installed(name):
    """Whether Ansible on the controller can load the collection ``namespace.name``."""
    if not isinstance(name, str) or not _COLLECTION_NAME.match(name):
        raise AnsibleFilterError(
            f"netallow.apple.collection_installed: {name!r} is not a collection name (namespace.name, lower case)"
        )
    # The collection loader answers for every place Ansible looks: the configured collection paths, the
    # playbook's adjacent collections directory and the Python path (the ansible package).
    try:
        return importlib.util.find_spec(f"ansible_collections.{name}") is not None
    except ImportError:
        return False


class TestModule:
    def tests(self):
        return {"collection_installed": collection_installed}

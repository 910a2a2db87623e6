# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection_installed test plugin."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netallow.apple.plugins.test.collection_installed import TestModule as CollectionTests

collection_installed = CollectionTests().tests()["collection_installed"]


def test_this_collection_is_installed():
    assert collection_installed("netallow.apple") is True


@pytest.mark.parametrize("name", ["netallow.no_such_collection", "no_such_namespace.apple"])
def test_missing_collections_are_not(name):
    assert collection_installed(name) is False


@pytest.mark.parametrize("name", ["netallow", "netallow.apple.extra", "Netallow.apple", "net-allow.apple", "", 3, None])
def test_a_value_that_is_not_a_collection_name_is_refused_by_name(name):
    with pytest.raises(AnsibleFilterError, match="is not a collection name"):
        collection_installed(name)

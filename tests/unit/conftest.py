# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures over the real components of ``real_components.py``, shared by every unit test.

All are function-scoped: ansible-test runs each test in a forked process, where a module-scoped teardown never runs.
"""

from __future__ import annotations

import pytest

from ansible_collections.netallow.apple.tests.unit.real_components import (
    reachability_servers,
    running_squid,
    scratch_netns,
)


@pytest.fixture
def netns():
    """A scratch network namespace; nft runs inside it with ``real_components.nft``."""
    with scratch_netns() as name:
        yield name


@pytest.fixture
def servers(tmp_path):
    """The reachability test servers (``reachability_servers.ServerSet``)."""
    with reachability_servers(str(tmp_path)) as started:
        yield started


@pytest.fixture
def squid(request):
    """A real squid; a test module that sets ``SQUID_CREDENTIALS = (user, password)`` gets one requiring them."""
    with running_squid(getattr(request.module, "SQUID_CREDENTIALS", None)) as proxy:
        yield proxy

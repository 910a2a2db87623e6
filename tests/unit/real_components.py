# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real components the unit tests share: scratch network namespaces with the real nft inside, the reachability
test servers, and a real squid. The fixtures in ``tests/unit/conftest.py`` are built from these.

Python 3.9 compatible: the managed-host tests use it too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid

import pytest

NFT = shutil.which("nft") or "/usr/sbin/nft"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_netns = pytest.mark.skipif(not (os.access(NFT, os.X_OK) and IS_ROOT and shutil.which("ip")),
                                 reason="needs root, nft and ip for a scratch network namespace")


@contextlib.contextmanager
def scratch_netns(prefix: str = "nau"):
    """A new network namespace ``<prefix>-<random>`` (nothing reaches the host's ruleset), deleted afterwards."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=30)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, timeout=30)


def nft(netns_name: str, *args: str, stdin: str | None = None, check: bool = True):
    """Run the real nft inside the namespace; a failure raises with nft's message."""
    return subprocess.run(["ip", "netns", "exec", netns_name, NFT, *args], input=stdin, capture_output=True,
                          text=True, check=check, timeout=60)


def live_table(netns_name: str, table: str = "netallow_apple", family: str = "inet") -> str:
    """The table as ``nft -j`` lists it, or "" when it does not exist (what the renderers take as ``current``)."""
    result = nft(netns_name, "-j", "list", "table", family, table, check=False)
    return result.stdout if result.returncode == 0 else ""


@contextlib.contextmanager
def running_squid(credentials=None):
    """A real squid CONNECT proxy on loopback (see ``Squid``), stopped afterwards; skips the test without squid."""
    from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import Squid

    needed = [Squid.BINARY] + ([Squid.AUTH_HELPER] if credentials else [])
    missing = [path for path in needed if not os.access(path, os.X_OK)]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed")
    proxy = Squid(credentials=credentials)
    try:
        yield proxy
    finally:
        proxy.stop()


@contextlib.contextmanager
def reachability_servers(workdir: str):
    """The TLS, HTTP, SSH, SNTP and QUIC test servers on loopback, stopped afterwards."""
    from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import ServerSet

    started = ServerSet(workdir=workdir)
    try:
        yield started
    finally:
        started.stop()

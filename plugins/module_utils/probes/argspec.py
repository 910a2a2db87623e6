# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability module's argument spec: the one contract of the module and of its action plugin.

It lives here, not in the module file, so that the action plugin on the controller validates the same spec
without importing a module; the module's documentation is tested against it.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import (
    CHECKS,
    KINDS,
    PLATFORMS,
    PORT_MAX,
    PORT_MIN,
    PROTOCOLS,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.tls import (
    DEFAULT_EXPECTED_ISSUERS,
    DEFAULT_TLS_PORTS,
)

# Options resolved by the action plugin on the controller (the endpoints lookup's selectors).
SELECTORS = (
    "section",
    "service",
    "platform",
    "protocol",
    "port",
    "proxy_supported",
    "required",
    "kind",
    "host",
    "ids",
    "include_removed",
    "include_unverified",
    "include_broad",
    "catalog_path",
)


def argument_spec() -> dict:
    """The one contract of this module; the action plugin validates its arguments against it too."""
    return dict(
        targets=dict(
            type="list",
            elements="dict",
            options=dict(
                host=dict(type="str", required=True),
                port=dict(type="int", required=True),
                protocol=dict(type="str", choices=list(PROTOCOLS), default="tcp"),
                probe=dict(type="str"),
                id=dict(type="str"),
                required=dict(type="bool", default=True),
                tls=dict(type="bool"),
                check=dict(type="str", choices=list(CHECKS), default="auto"),
                entry_ids=dict(type="list", elements="str"),
            ),
        ),
        section=dict(type="list", elements="str"),
        service=dict(type="list", elements="str"),
        platform=dict(
            type="list", elements="str", choices=list(PLATFORMS)
        ),
        protocol=dict(type="list", elements="str", choices=list(PROTOCOLS)),
        port=dict(type="list", elements="int"),
        proxy_supported=dict(type="raw"),
        required=dict(type="raw"),
        kind=dict(type="list", elements="str", choices=list(KINDS)),
        host=dict(type="list", elements="str"),
        ids=dict(type="list", elements="str"),
        include_removed=dict(type="bool", default=False),
        include_unverified=dict(type="bool", default=False),
        include_broad=dict(type="bool", default=False),
        catalog_path=dict(type="path"),
        timeout=dict(type="float", default=3.0),
        deadline=dict(type="float", default=60.0),
        workers=dict(type="int", default=256),
        # The URL may carry credentials: Ansible masks it wherever it would be shown.
        proxy=dict(type="str", no_log=True),
        use_proxy_env=dict(type="bool", default=True),
        ip_version=dict(type="str", choices=["any", "4", "6"], default="any"),
        resolve=dict(type="dict"),
        ca_path=dict(type="path"),
        expected_issuers=dict(type="list", elements="str", default=list(DEFAULT_EXPECTED_ISSUERS)),
        tls_ports=dict(type="list", elements="int", default=list(DEFAULT_TLS_PORTS)),
        fail_on=dict(type="str", choices=["none", "required", "any"], default="required"),
        result_shape=dict(type="str", choices=["full", "compact"], default="full"),
    )


def check_params(params: dict) -> str | None:
    """Return an error message for values the argument spec cannot express, or None."""
    for name in ("timeout", "deadline"):
        if not 0 < params[name] <= 3600:
            return f"{name}={params[name]} is out of range: use a number of seconds above 0 and at most 3600"
    if not 1 <= params["workers"] <= 1024:
        return f"workers={params['workers']} is out of range: use 1 to 1024"
    for index, target in enumerate(params["targets"] or []):
        if not PORT_MIN <= target["port"] <= PORT_MAX:
            return f"targets[{index}].port={target['port']} is out of range: use 1 to 65535"
        if not target["host"].strip():
            return f"targets[{index}].host is empty"
        for key in ("host", "probe"):
            value = target.get(key) or ""
            if any(char.isspace() or not char.isprintable() for char in value):
                return (f"targets[{index}].{key}={value!r} contains a space or a control character: use a host name "
                        "or an address")
    for name, value in (params["resolve"] or {}).items():
        for address in value if isinstance(value, list) else [value]:
            try:
                ipaddress.ip_address(str(address).strip())
            except ValueError:
                return f"resolve: {name} -> {address!r} is not an IPv4 or IPv6 address"
    for port in params["tls_ports"]:
        if not PORT_MIN <= port <= PORT_MAX:
            return f"tls_ports: {port} is out of range: use 1 to 65535"
    return None

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The words both sides of the collection share: one definition each.

The catalog loader, the lookup, the allow-list model and the reports (controller side) and the reachability module
and its probes (managed host) read them from here; the catalog's JSON schema is tested equal to them. Python 3.9+,
standard library only: this file travels inside the module payload.
"""

from __future__ import annotations

import ipaddress

# ---------------------------------------------------------------------------------------------------- the catalog
# Apple's devices as the catalog names them; an entry without platforms is not device-specific.
PLATFORMS = ("ios", "ipados", "macos", "tvos", "visionos", "watchos", "windows")
PROTOCOLS = ("tcp", "udp")
KINDS = ("fqdn", "wildcard", "cidr")
# An entry's status. Only "current" is in the default selection; the others are history or single-source.
ENTRY_STATUSES = ("current", "renamed", "removed", "unverified")
HISTORY_STATUSES = ("removed", "renamed")
# How broad an entry is. "shortcut" is Apple's allow-everything advice (*.apple.com, 17.0.0.0/8) and "platform" a
# third party's whole hosting or CDN platform: both admit far more than the services need, so they are broad.
SCOPES = ("host", "domain", "shortcut", "platform")
BROAD_SCOPES = ("shortcut", "platform")
# "inferred" ports come from a general table or advice, not from a row Apple prints for the host: also broad.
PORT_BASES = ("listed", "inferred")
LANGUAGES = ("en", "fr", "nl", "cs", "de")

# Apple's sections, in the order of its article. Entries live in ENTRY_SECTIONS, the port-only rows in
# PORT_SECTIONS; the iTunes for Windows processes have a section of their own.
ENTRY_SECTIONS = (
    "devicesetup",
    "devicemanagement",
    "businessschool",
    "businessschoolusers",
    "businessessentials",
    "classroom",
    "software",
    "appscontent",
    "carrier",
    "contentcaching",
    "beta",
    "diagnostics",
    "dns",
    "certificates",
    "appleaccount",
    "icloud",
    "aisirisearch",
    "associateddomains",
    "taptopay",
    "idverifier",
    "firewall",
    "serverhosts",
)
PORT_SECTIONS = ("commonports", "imessagefacetime")
PROCESS_SECTIONS = ("itunesprocesses",)
SECTIONS = ENTRY_SECTIONS + PORT_SECTIONS + PROCESS_SECTIONS

# Apple's own address space as the catalog lists it (its firewall section: 17.0.0.0/8 and the APNs IPv6 blocks,
# with the catalog's prefix lengths). A name that resolves elsewhere is served by a CDN. A unit test keeps this
# equal to the catalog.
APPLE_NETWORKS = ("17.0.0.0/8", "2620:149:a44::/48", "2403:300:a42::/48", "2403:300:a51::/48", "2a01:b740:a42::/48")

# ---------------------------------------------------------------------------------------------------- host and port
PORT_MIN = 1
PORT_MAX = 65535
MAX_NAME_LENGTH = 253
# RFC 1123 label: 1-63 of a-z, 0-9 and '-', neither first nor last a hyphen. Lower case: callers fold case first.
LABEL_PATTERN = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
# A canonical catalog name has at least two labels, never a bare top-level domain. Apply with re.fullmatch.
FQDN_PATTERN = rf"(?=.{{1,{MAX_NAME_LENGTH}}}\Z){LABEL_PATTERN}(?:\.{LABEL_PATTERN})+"
# What may stand as the authority of an HTTP CONNECT request: a host name or an IPv4/IPv6 literal, nothing that
# could end the request line. Apply with re.fullmatch.
CONNECT_HOST_PATTERN = r"[A-Za-z0-9._:-]{1,253}"


def is_ip_literal(value: str) -> bool:
    """Whether ``value`` is one IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------- reachability
# The outcome of one probed target, and the stage it reached.
PROBE_STATUSES = (
    "ok",
    "dns_failed",
    "timeout",
    "refused",
    "unreachable",
    "proxy_denied",
    "intercepted",
    "tls_failed",
    "service_failed",
    "skipped",
)
FAILED_STATUSES = frozenset(PROBE_STATUSES) - {"ok", "skipped"}
STAGES = ("dns", "proxy", "tcp", "udp", "tls", "service")
# What the last stage checks: "connect" stops after TCP (and TLS); the others speak the service's protocol.
CHECKS = ("auto", "connect", "sntp", "quic", "captive", "ssh")
UDP_CHECKS = ("sntp", "quic")

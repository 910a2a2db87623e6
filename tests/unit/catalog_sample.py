# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small catalog document for unit tests that must not depend on the shipped data."""

from __future__ import annotations


def _entry(**over):
    host = over.get("host", "albert.apple.com")
    base = {
        "id": "devicesetup.albert.apple.com", "section": "devicesetup", "service": "activation",
        "host": "albert.apple.com", "scope": "domain" if host.startswith("*.") or "/" in host else "host",
        "tcp": [443], "udp": [], "port_basis": "listed", "platforms": ["ios", "macos"], "proxy": True,
        "required": True, "description": {"en": "Device activation."}, "status": "current", "added": "2019",
        "last_seen": "2024-11", "removed": None, "renamed_to": None, "sources": ["src"],
        "probe": "albert.apple.com", "notes": None,
    }
    base.update(over)
    return base


RAW = {
    "catalog_version": "1.0.0",
    "updated": "2026-03",
    "sources": {"src": {"title": "t", "url": "https://example.invalid/", "language": "en", "date": "2024-11"}},
    "sections": {"devicesetup": {"title": {"en": "Device setup"}}, "devicemanagement": {"title": {"en": "MDM"}},
                 "software": {"title": {"en": "Software"}}, "businessschool": {"title": {"en": "ABM"}},
                 "firewall": {"title": {"en": "Firewall"}}},
    "entries": [
        _entry(),
        _entry(id="devicesetup.time.apple.com", service="time", host="time.apple.com", tcp=[], udp=[123],
               proxy=None, probe="time.apple.com"),
        _entry(id="devicemanagement.push.apple.com-wildcard", section="devicemanagement", service="apns",
               host="*.push.apple.com", tcp=[443, 80, 5223, 2197], proxy=None,
               platforms=["ios", "ipados", "tvos", "macos", "visionos"], probe="1-courier.push.apple.com"),
        _entry(id="software.ns.itunes.apple.com", section="software", service="software_update",
               host="ns.itunes.apple.com", status="removed", removed="2025-04", platforms=["ios"]),
        _entry(id="businessschool.business.apple.com-wildcard", section="businessschool", service="abm",
               host="*.business.apple.com", tcp=[443, 80], platforms=[], probe=None, proxy=None,
               no_probe_reason="no documented name under it"),
        _entry(id="firewall.17.0.0.0-8", section="firewall", service="apple_network", host="17.0.0.0/8",
               scope="shortcut", port_basis="inferred", tcp=["1-65535"], udp=["1-65535"], platforms=[], probe=None,
               proxy=None),
        _entry(id="firewall.apple.com-wildcard", section="firewall", service="apple_domain", host="*.apple.com",
               scope="shortcut", port_basis="inferred", tcp=[80, 443], platforms=[], probe="www.apple.com",
               proxy=None, required=False),
        _entry(id="software.amazonaws.com-wildcard", section="software", service="cdn", host="*.amazonaws.com",
               scope="platform", tcp=[443], platforms=[], probe="s3.amazonaws.com", proxy=None),
        _entry(id="software.configuration.apple.com", section="software", service="configuration",
               host="configuration.apple.com", port_basis="inferred", tcp=[443, 80], probe="configuration.apple.com"),
        _entry(id="firewall.2620.149.a44..-48", section="firewall", service="apns", host="2620:149:a44::/48",
               tcp=[443, 5223], platforms=[], probe=None, proxy=None),
        _entry(id="software.gg.apple.com", section="software", service="software_update", host="gg.apple.com",
               status="unverified", proxy=False),
    ],
}

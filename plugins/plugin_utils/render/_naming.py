# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One naming scheme for every set and object a format creates or refers to.

Formats that refer to each other must agree on names: the dnsmasq lines fill the sets the nftables, iptables or
firewalld configuration creates. Every address set is therefore named here, and only here:
``<prefix><group>_<net|dns><4|6>``: ``net`` for the group's CIDRs, ``dns`` for the addresses dnsmasq learns when
it resolves the group's names. ipset (iptables, firewalld) allows 31 characters; a longer name keeps its prefix and
ends in a stable hash of the full name. Network gear object names follow each vendor's documented rules.
"""

from __future__ import annotations

import functools
import typing as t

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import object_name, object_names

# ipset's limit (IPSET_MAXNAMELEN - 1) and nft's (NFT_SET_MAXNAMELEN - 1).
IPSET_NAME_MAX = 31
NFT_NAME_MAX = 255
# The prefixes of each format's own sets, so that formats referring to each other meet by default.
NFT_ENFORCE_PREFIX = ""
NFT_ALLOW_PREFIX = "netallow_apple_"
IPSET_PREFIX = "apple_"
FIREWALLD_PREFIX = "netallow_apple_"
KINDS = ("net", "dns")

# Object name rules per vendor, as documented by each vendor (maximum length, allowed characters).
VENDOR_NAME_RULES: dict = {
    # FortiOS: firewall address/service names up to 79 characters.
    "fortios": {"max_length": 79, "allowed": "A-Za-z0-9_.-"},
    # Check Point: object names without spaces; the management API accepts up to 100, keep them readable.
    "checkpoint": {"max_length": 63, "allowed": "A-Za-z0-9_.-"},
    # ASA: object and object-group names up to 64 characters.
    "asa": {"max_length": 64, "allowed": "A-Za-z0-9_.-"},
    # Junos: address book and policy names up to 63 characters.
    "junos": {"max_length": 63, "allowed": "A-Za-z0-9_.-"},
    # VyOS: firewall group names; no dots, keep under 32 characters.
    "vyos": {"max_length": 31, "allowed": "A-Za-z0-9_-"},
    # PAN-OS: object names up to 63 characters (URL categories and EDLs: 31).
    "panos": {"max_length": 63, "allowed": "A-Za-z0-9_.-"},
}


@functools.lru_cache(maxsize=4096)
def set_name(prefix: str, group: str, kind: str, family: str, max_length: int = IPSET_NAME_MAX) -> str:
    """The set of ``group``'s ``kind`` (``net``/``dns``) addresses of IP ``family`` (``4``/``6``)."""
    if kind not in KINDS or family not in ("4", "6"):
        raise ValueError(f"set kind {kind!r}/family {family!r}: expected one of {', '.join(KINDS)} and 4 or 6")
    rules = {"max_length": max_length, "allowed": "A-Za-z0-9_", "replacement": "_", "hash_separator": "_"}
    return object_name(f"{prefix}{group}_{kind}{family}", rules)


def families(family: str) -> tuple:
    """The IP families (``4``, ``6``) an nftables/firewalld family (``inet``, ``ip``, ``ip6``) holds."""
    return {"inet": ("4", "6"), "ip": ("4",), "ip6": ("6",)}[family]


def vendor_names(vendor: str, prefix: str, hosts: t.Iterable[str], kind_prefix: str = "") -> dict:
    """Stable, unique, vendor-valid object names for hosts or CIDRs, ``{host: name}``."""
    rules = dict(VENDOR_NAME_RULES[vendor])
    rules["prefix"] = f"{prefix}-{kind_prefix}" if kind_prefix else f"{prefix}-"
    return object_names(list(hosts), rules)


def service_name(prefix: str, protocol: str, label: str) -> str:
    """A network gear service object: ``<prefix>-<protocol>-<port or low-high>``."""
    return f"{prefix}-{protocol}-{label}"

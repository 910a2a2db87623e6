# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who issued a server's certificate, and whether that is a CA Apple and its CDNs use (or an inspection proxy)."""

from __future__ import annotations

import re

# Ports where Apple's services speak TLS from the first byte (HTTPS, APNs, APNs fallback, mail over TLS).
DEFAULT_TLS_PORTS = (443, 993, 995, 2197, 5223, 8443)

# Organisation (or common-name prefix) of the CAs that issue the certificates of Apple's hosts and of the CDNs
# that serve them. Apple's own names use "Apple Public Server RSA/ECC CA ... - G1" (O=Apple Inc.); hosts served
# from third-party CDNs present DigiCert-issued chains (DigiCert Global G2/G3, GeoTrust brands are DigiCert's).
DEFAULT_EXPECTED_ISSUERS = ("Apple Inc.", "DigiCert Inc", "GeoTrust", "Entrust, Inc.")

_PEERCERT_KEYS = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "localityName": "L",
    "stateOrProvinceName": "ST",
}
_DN_ORDER = ("CN", "OU", "O", "L", "ST", "C")


def _norm_name(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def issuer_is_expected(issuer: dict, expected) -> bool:
    """True when the issuer's organisation or common name starts with one of the expected names.

    Comparison ignores case, spaces and punctuation, so "DigiCert Inc" matches "DigiCert, Inc.".
    """
    candidates = [_norm_name(issuer.get(key, "")) for key in ("O", "CN")]
    for name in expected:
        wanted = _norm_name(name)
        if wanted and any(candidate.startswith(wanted) for candidate in candidates if candidate):
            return True
    return False


def format_dn(dn: dict) -> str:
    parts = [f"{key}={dn[key]}" for key in _DN_ORDER if key in dn]
    parts += [f"{key}={value}" for key, value in dn.items() if key not in _DN_ORDER]
    return ", ".join(parts)


def name_from_peercert(rdns) -> dict:
    """A name as ``ssl.SSLSocket.getpeercert()`` gives it, with the short keys the DER reader uses."""
    name = {}
    for rdn in rdns or ():
        for key, value in rdn:
            name.setdefault(_PEERCERT_KEYS.get(key, key), value)
    return name


def ssl_reason(exc) -> str:
    return getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)

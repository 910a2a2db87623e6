# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal DER reader for X.509 certificates: the issuer and subject names, nothing more.

Used after a verified TLS handshake failed, to name the CA that issued the certificate presented (an
inspection proxy's, or Apple's own); the ssl module gives no parsed certificate when verification is off.
"""

from __future__ import annotations

# OIDs of the name attributes that reports show.
_DN_OIDS = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
}


def _der_read(data: bytes, offset: int):
    """Read one DER TLV at offset: returns (tag, content_start, content_end)."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER element")
    tag = data[offset]
    length = data[offset + 1]
    pos = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, pos, end


def _der_children(data: bytes, start: int, end: int):
    pos = start
    while pos < end:
        tag, cstart, cend = _der_read(data, pos)
        yield tag, cstart, cend
        pos = cend


def _decode_oid(raw: bytes) -> str:
    if not raw:
        raise ValueError("empty OID")
    first = raw[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _decode_string(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x1C:  # UniversalString
        return raw.decode("utf-32-be", "replace")
    return raw.decode("utf-8", "replace")


def parse_name(data: bytes, start: int, end: int) -> dict:
    """Decode an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue) into {'CN': ..., 'O': ...}."""
    name = {}
    for rdn_tag, rstart, rend in _der_children(data, start, end):
        if rdn_tag != 0x31:
            raise ValueError("Name: expected SET")
        for atv_tag, astart, aend in _der_children(data, rstart, rend):
            if atv_tag != 0x30:
                raise ValueError("Name: expected SEQUENCE")
            children = list(_der_children(data, astart, aend))
            if len(children) != 2 or children[0][0] != 0x06:
                raise ValueError("Name: malformed attribute")
            oid = _decode_oid(data[children[0][1]:children[0][2]])
            key = _DN_OIDS.get(oid, oid)
            vtag, vstart, vend = children[1]
            name.setdefault(key, _decode_string(vtag, data[vstart:vend]))
    return name


def cert_issuer_and_subject(der: bytes):
    """Return (issuer, subject) dicts of a DER X.509 certificate, with a minimal DER reader."""
    tag, start, end = _der_read(der, 0)
    if tag != 0x30:
        raise ValueError("certificate: expected SEQUENCE")
    tag, tbs_start, tbs_end = _der_read(der, start)
    if tag != 0x30:
        raise ValueError("tbsCertificate: expected SEQUENCE")
    fields = list(_der_children(der, tbs_start, tbs_end))
    if fields and fields[0][0] == 0xA0:  # [0] EXPLICIT version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject
    if len(fields) < 5 or fields[2][0] != 0x30 or fields[4][0] != 0x30:
        raise ValueError("tbsCertificate: unexpected structure")
    issuer = parse_name(der, fields[2][1], fields[2][2])
    subject = parse_name(der, fields[4][1], fields[4][2])
    return issuer, subject

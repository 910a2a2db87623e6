# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""QUIC version negotiation (RFC 9000): a probe every QUIC server must answer, and the check of its answer."""

from __future__ import annotations

import struct

# RFC 9000 section 15: versions of the form 0x?a?a?a?a are reserved to force version negotiation.
QUIC_FORCE_NEGOTIATION = 0x1A2A3A4A
QUIC_MIN_DATAGRAM = 1200


def build_quic_probe(dcid: bytes, scid: bytes) -> bytes:
    """A long-header packet with a reserved version, padded to 1200 bytes: a QUIC server must answer it with a
    Version Negotiation packet (RFC 9000 sections 6 and 14.1)."""
    header = bytes([0xC0]) + struct.pack("!I", QUIC_FORCE_NEGOTIATION)
    header += bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
    return header + b"\x00" * (QUIC_MIN_DATAGRAM - len(header))


def parse_quic_version_negotiation(reply: bytes, dcid: bytes, scid: bytes) -> list:
    """Return the versions a Version Negotiation packet offers; raise ValueError when it is not one for us."""
    if len(reply) < 7 or not reply[0] & 0x80:
        raise ValueError("not a QUIC long-header packet")
    version = struct.unpack("!I", reply[1:5])[0]
    if version != 0:
        raise ValueError(f"version field 0x{version:08x}, expected 0 (Version Negotiation)")
    pos = 5
    echoed_dcid_len = reply[pos]
    echoed_dcid = reply[pos + 1:pos + 1 + echoed_dcid_len]
    pos += 1 + echoed_dcid_len
    if pos >= len(reply):
        raise ValueError("truncated Version Negotiation packet")
    echoed_scid_len = reply[pos]
    echoed_scid = reply[pos + 1:pos + 1 + echoed_scid_len]
    pos += 1 + echoed_scid_len
    if echoed_dcid != scid or echoed_scid != dcid:
        raise ValueError("connection IDs do not echo our probe")
    rest = reply[pos:]
    if not rest or len(rest) % 4:
        raise ValueError("version list is empty or misaligned")
    return [struct.unpack("!I", rest[i:i + 4])[0] for i in range(0, len(rest), 4)]

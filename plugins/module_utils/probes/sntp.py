# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SNTPv4 (RFC 4330): the client request and the checks of a server's reply."""

from __future__ import annotations

import struct
import time

# Seconds between 1900-01-01 (NTP era 0) and 1970-01-01.
NTP_EPOCH_OFFSET = 2208988800


def build_sntp_request(transmit: float | None = None) -> bytes:
    """48-byte SNTPv4 client request (RFC 4330); the transmit timestamp identifies our request in the reply."""
    now = time.time() if transmit is None else transmit
    seconds = int(now) + NTP_EPOCH_OFFSET
    fraction = int((now % 1) * (1 << 32)) | 1  # never all zero
    packet = bytearray(48)
    packet[0] = (0 << 6) | (4 << 3) | 3  # LI=0, VN=4, Mode=3 (client)
    packet[40:48] = struct.pack("!II", seconds & 0xFFFFFFFF, fraction & 0xFFFFFFFF)
    return bytes(packet)


def parse_sntp_reply(reply: bytes, request: bytes) -> dict:
    """Check a server reply against RFC 4330 section 5; raise ValueError naming what is wrong."""
    if len(reply) < 48:
        raise ValueError(f"reply of {len(reply)} bytes, expected at least 48")
    mode = reply[0] & 0x07
    version = (reply[0] >> 3) & 0x07
    stratum = reply[1]
    if mode != 4:
        raise ValueError(f"reply mode {mode}, expected 4 (server)")
    if not 1 <= version <= 4:
        raise ValueError(f"reply version {version} is not 1-4")
    if stratum == 0:
        kiss = reply[12:16].decode("ascii", "replace").strip("\x00")
        raise ValueError(f"kiss-o'-death from server ({kiss or 'no code'})")
    if stratum > 15:
        raise ValueError(f"stratum {stratum} means unsynchronised")
    if reply[24:32] != request[40:48]:
        raise ValueError("originate timestamp does not echo our request")
    if reply[40:48] == b"\x00" * 8:
        raise ValueError("transmit timestamp is zero")
    seconds, fraction = struct.unpack("!II", reply[40:48])
    server_time = seconds - NTP_EPOCH_OFFSET + fraction / (1 << 32)
    return {"stratum": stratum, "version": version, "server_time": server_time}

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TCP echo servers of the booted-host lab, on the controller's bridge address (stdlib only).

  nahost-lab.py ADDRESS COUNT PORTS_FILE LIFETIME

Binds COUNT listeners to ADDRESS on ports the kernel chooses, writes them to PORTS_FILE as a JSON list (atomically),
echoes what each connection sends, and exits after LIFETIME seconds.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time


def _echo(sock: socket.socket) -> None:
    while True:
        conn, _peer = sock.accept()
        with conn:
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                conn.sendall(conn.recv(64))


def main() -> int:
    address, count, ports_file, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    ports = []
    for _index in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((address, 0))
        sock.listen(16)
        ports.append(sock.getsockname()[1])
        threading.Thread(target=_echo, args=(sock,), daemon=True).start()
    with open(ports_file + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(ports, handle)
    os.replace(ports_file + ".tmp", ports_file)
    time.sleep(lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluate a PAC file with pacparser: ``pac_eval.py FILE HOST...`` prints {host: FindProxyForURL answer} as JSON."""

from __future__ import annotations

import json
import sys

import pacparser


def evaluate(path: str, hosts: list[str]) -> dict:
    pacparser.init()
    try:
        pacparser.parse_pac_file(path)
        return {host: pacparser.find_proxy(f"https://{host}/", host) for host in hosts}
    finally:
        pacparser.cleanup()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: pac_eval.py FILE HOST...")
    print(json.dumps(evaluate(sys.argv[1], sys.argv[2:])))

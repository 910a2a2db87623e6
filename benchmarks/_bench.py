# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every benchmark shares: timing a call repeatedly, and publishing a result table."""

from __future__ import annotations

import os
import statistics
import time

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def samples_ms(func, rounds: int, after=None) -> list:
    """Milliseconds taken by ``rounds`` calls of ``func``; ``after`` (untimed) runs after each call."""
    samples = []
    for _round in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
        if after is not None:
            after()
    return samples


def median_ms(func, rounds: int, after=None) -> float:
    return statistics.median(samples_ms(func, rounds, after))


def publish(area: str, text: str, title: str | None = None) -> None:
    """Print ``text`` and write it to ``benchmarks/results/<area>.md`` (under ``# title`` when given)."""
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"{area}.md"), "w", encoding="utf-8") as handle:
        handle.write((f"# {title}\n\n" if title else "") + text + ("" if text.endswith("\n") else "\n"))

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""List the tests a stage skipped, with their reasons, and fail on a skip that tests/skips-allowed.yml does not explain.

Every test that needs a real tool (nft, squid, dnsmasq, firewalld, pacparser, root, namespaces) must run in
``make test``: a skip is allowed only when the allow-list names it, for that stage, with a reason.

Usage: python tests/utils/check_skips.py STAGE [--junit FILE ...] [--log FILE] [--summary FILE]

``--junit``: JUnit XML of a pytest run (ansible-test units writes it under tests/output/junit/). ``--log``: the
output of ansible-test integration or molecule, where a target or scenario that did not run is announced with
"Excluding tests marked" (ansible-test) or "Skipping," (molecule). ``--summary``: also write the report there, for
the summary of ``tests/utils/run-all.sh``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml

ALLOW_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "skips-allowed.yml")
STAGES = ("units", "units-219", "units-39", "integration", "molecule")
LOG_SKIPS = (
    re.compile(r"WARNING: (Excluding tests marked .*)"),
    re.compile(r"WARNING: (Skipping .*)"),
    re.compile(r"\b(Skipping, .*)"),
)


def junit_skips(path: str) -> list[tuple[str, str]]:
    """(test id, reason) of every skipped test case in a JUnit XML file."""
    skips = []
    for case in ET.parse(path).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if skipped is None:
            continue
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        reason = skipped.get("message") or (skipped.text or "").strip() or "(no reason given)"
        skips.append((test, " ".join(reason.split())))
    return skips


def log_skips(path: str) -> list[tuple[str, str]]:
    """(what, reason) of every target or scenario a test runner's output says it did not run."""
    skips = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            for pattern in LOG_SKIPS:
                found = pattern.search(line)
                if found:
                    text = found.group(1).strip()
                    skips.append((text, text))
                    break
    return skips


def load_allow_list(path: str = ALLOW_LIST) -> dict:
    """stage -> [(compiled test pattern, reason)]; every entry must give a reason."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle) or {}
    unknown = sorted(set(document) - set(STAGES))
    if unknown:
        raise ValueError(f"{path}: unknown stage(s) {', '.join(unknown)}; stages: {', '.join(STAGES)}")
    allowed = {}
    for stage, entries in document.items():
        allowed[stage] = []
        for entry in entries or []:
            if not isinstance(entry, dict) or not entry.get("test") or not str(entry.get("reason", "")).strip():
                raise ValueError(f"{path}: {stage}: every entry needs 'test' (a regular expression) and 'reason': "
                                 f"{entry!r}")
            allowed[stage].append((re.compile(entry["test"]), entry["reason"]))
    return allowed


def classify(skips: list[tuple[str, str]], allowed: list) -> tuple[list, list]:
    """Split skips into (allowed with the allow-list's reason, unexplained)."""
    explained, unexplained = [], []
    for test, reason in skips:
        match = next((why for pattern, why in allowed if pattern.search(test)), None)
        if match is None:
            unexplained.append((test, reason))
        else:
            explained.append((test, reason, match))
    return explained, unexplained


def report(stage: str, explained: list, unexplained: list) -> str:
    lines = [f"skips in {stage}: {len(explained) + len(unexplained)} "
             f"({len(explained)} allowed, {len(unexplained)} unexplained)"]
    lines += [f"  allowed: {test} - {reason} (allowed because: {why})" for test, reason, why in explained]
    lines += [f"  UNEXPLAINED: {test} - {reason}" for test, reason in unexplained]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--junit", nargs="*", default=[], help="JUnit XML files of the stage")
    parser.add_argument("--log", help="output of the stage's test runner")
    parser.add_argument("--summary", help="also write the report to this file")
    args = parser.parse_args(argv)
    if not args.junit and not args.log:
        parser.error("give --junit files or a --log")
    missing = [path for path in args.junit + ([args.log] if args.log else []) if not os.path.isfile(path)]
    if missing:
        print(f"check_skips: {args.stage}: no test results at {', '.join(missing)}", file=sys.stderr)
        return 2
    skips = [skip for path in args.junit for skip in junit_skips(path)]
    if args.log:
        skips += log_skips(args.log)
    explained, unexplained = classify(skips, load_allow_list().get(args.stage, []))
    text = report(args.stage, explained, unexplained)
    print(text)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    if unexplained:
        print(f"check_skips: {args.stage}: {len(unexplained)} skip(s) not in tests/skips-allowed.yml; install what "
              "they need (bindep.txt, requirements files) or allow them there with a reason", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the main job's out/ directory: no broad name anywhere in the allow-lists, exact wildcards in every vendor
configuration, and per host exactly the ports Apple's newest table lists for it or for a wildcard that covers it.

Usage: check_out.py OUT_DIR FIXTURES_DIR. The expected ports come from the transcriptions of Apple's tables that the
unit tests use (the November 2024 edition and the later changes), not from the catalog, so a port the catalog adds
without Apple listing it fails here. Exits non-zero with one line per finding.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

EXPORTS = {"catalog.json", "catalog.csv", "catalog.md", "catalog-history.json", "catalog.html"}
# Broad names that no allow-list of the default selection may hold, in every notation a renderer uses.
BROAD = {
    "*.apple.com": re.compile(r"\*\.apple\.com(?![a-z0-9.-])"),
    ".apple.com (squid, Check Point)": re.compile(r"(?<![a-z0-9.*-])\.apple\.com(?![a-z0-9.-])"),
    "/apple.com/ (dnsmasq)": re.compile(r"/apple\.com/"),
    "apple.com itself": re.compile(r"(?<![a-z0-9.*-])apple\.com(?![a-z0-9.-])"),
    "amazonaws.com": re.compile(r"amazonaws\.com"),
    "17.0.0.0/8": re.compile(r"(?<![0-9.])17\.0\.0\.0(/8| 255\.0\.0\.0| 0\.255\.255\.255)"),
}
# Where a vendor has a wildcard form the configuration carries *.push.apple.com itself; where it has none, the
# output says so by name (a warning), and the exact names and Apple's blocks carry the traffic.
PUSH_FORMS = {
    "fortios": re.compile(r'"(wildcard_fqdn|fqdn)": "\*\.push\.apple\.com"'),
    "checkpoint": re.compile(r'"\.push\.apple\.com"'),
    "panos": re.compile(r'"\*\.push\.apple\.com"'),
    "asa": re.compile(r"wildcard \*\.push\.apple\.com cannot be expressed"),
    "junos": re.compile(r"wildcard \*\.push\.apple\.com cannot be expressed"),
    "vyos": re.compile(r"wildcard \*\.push\.apple\.com cannot be expressed"),
}
PORT_ERRATA = {"433": 443}


def _ports(cell: str, protocol: str) -> set:
    protocols = [p.strip().upper() for p in re.split(r"[,/]", protocol)] if protocol.strip() else ["TCP"]
    protocols = ["TCP" if p == "SSH" else p for p in protocols]
    found = set()
    for part in cell.split(","):
        printed = part.strip()
        value = PORT_ERRATA.get(printed, int(printed) if printed.isdigit() else printed)
        found |= {(p.lower(), value) for p in protocols}
    return found


def newest_table(fixtures: Path) -> dict:
    """host -> {(protocol, port)} as Apple's newest table lists it; None for a host removed since."""
    newest: dict = {}
    rows_2024 = yaml.safe_load((fixtures / "source_rows_2024_11.yml").read_text(encoding="utf-8"))["rows"]
    for row in rows_2024:
        host = row["host"].split("/")[0]  # www.apple.com/fr: the host, without its per-language path
        newest.setdefault(host, set()).update(_ports(row["ports"], row["protocol"]))
    changes = yaml.safe_load((fixtures / "source_rows_2026_changes.yml").read_text(encoding="utf-8"))["rows"]
    for row in changes:
        if row["confidence"] == "C":
            continue
        newest[row["host"]] = None if row["change"] == "removed" else _ports(row["ports"], row["protocol"])
    return newest


def nft_sets(text: str) -> tuple[dict, dict]:
    """(set name -> {(protocol, port)}, set name -> [CIDR elements]) from the rendered nftables ruleset."""
    ports: dict = {}
    for name, proto, listed in re.findall(r"ip6? daddr @(\S+) (tcp|udp) dport \{ ([0-9, -]+) \}", text):
        ports[name] = {(proto, int(p) if p.strip().isdigit() else p.strip()) for p in listed.split(",")}
    elements = {name: [e.strip() for e in body.split(",")]
                for name, body in re.findall(r"set (\S+) \{[^}]*?elements = \{ ([^}]*) \}", text)}
    return ports, elements


def check(out: Path, fixtures: Path) -> list[str]:
    problems = []
    files = [p for p in sorted(out.rglob("*")) if p.is_file() and p.name not in EXPORTS]
    if len(files) < 30:
        problems.append(f"only {len(files)} output files in {out}: the main job did not run completely")
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for label, pattern in BROAD.items():
            match = pattern.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(out)}:{line}: broad name {label} ({match.group(0)!r})")

    with (out / "catalog.csv").open(encoding="utf-8") as handle:
        scopes = {row["host"]: (row.get("scope"), row.get("broad")) for row in csv.DictReader(handle)}
    for host, scope in (("*.apple.com", "shortcut"), ("17.0.0.0/8", "shortcut"), ("*.amazonaws.com", "platform")):
        if scopes.get(host) != (scope, "yes"):
            problems.append(f"catalog.csv: {host} must be listed with scope {scope} and broad yes, got "
                            f"{scopes.get(host)}")

    for vendor, pattern in PUSH_FORMS.items():
        (config,) = out.glob(f"network_gear/*.{vendor}.json")
        if not pattern.search(config.read_text(encoding="utf-8")):
            problems.append(f"{config.relative_to(out)}: does not name *.push.apple.com ({pattern.pattern})")

    expected = newest_table(fixtures)
    set_ports, set_elements = nft_sets((out / "nftables" / "netallow_apple.nft").read_text(encoding="utf-8"))
    held: dict = {}
    for line in (out / "nftables" / "dnsmasq-netallow_apple.conf").read_text(encoding="utf-8").splitlines():
        if not line.startswith("nftset=/"):
            continue
        names, _sep, targets = line[len("nftset=/"):].rpartition("/")
        ports = set().union(*(set_ports[t.split("#")[-1]] for t in targets.split(",")))
        for name in names.split("/"):
            held.setdefault(name, set()).update(ports)
    for set_name, cidrs in set_elements.items():
        for cidr in cidrs:
            held.setdefault(cidr, set()).update(set_ports[set_name])
    for name, ports in sorted(held.items()):
        # What Apple lists for a name: its own rows, and the rows of every wildcard that covers it (dnsmasq puts a
        # name into the sets of the wildcards above it, since its longest /name/ match wins). dnsmasq's /d/ also
        # stands for the wildcard *.d.
        labels = name.split(".")
        covering = ["*." + ".".join(labels[i:]) for i in range(len(labels) - 1)]
        want = set().union(*(expected.get(h) or set() for h in [name] + covering))
        if ports != want:
            problems.append(f"{name}: the outputs allow {sorted(ports, key=str)}, Apple lists {sorted(want, key=str)}")
    for host, ports in sorted(expected.items()):
        if not ports:
            continue
        bare = host[2:] if host.startswith("*.") else host
        if bare not in held and not any(bare.endswith("." + d) for d in held):
            problems.append(f"{host}: Apple lists it, the outputs leave it out")
    if not held or "albert.apple.com" not in held:
        problems.append("no per-host ports found in the nftables outputs")
    return problems


def main() -> int:
    out, fixtures = Path(sys.argv[1]), Path(sys.argv[2])
    problems = check(out, fixtures)
    for problem in problems:
        print(problem)
    print(f"checked {out}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

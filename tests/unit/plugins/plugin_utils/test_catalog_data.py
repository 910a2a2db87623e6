# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the catalog data itself (vars/catalog.yml) against its schema and against transcriptions of the sources.

The fixtures under ``fixtures/source_rows_*.yml`` are the printed table rows of Apple's articles, errata included.
Each test walks them and proves that the catalog holds every row with the corrected value; the corrections are
spelled out below, so every erratum is proven rather than silently absorbed.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
# A proposed catalog (playbooks/catalog_update.yml -e apply=true) is checked by these same tests before it replaces
# the shipped one.
CATALOG_FILE = Path(os.environ.get("NETALLOW_APPLE_CATALOG") or ROOT / "vars" / "catalog.yml")
SCHEMA_FILE = ROOT / "vars" / "catalog.schema.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SOURCE_2024_FR = "ht210060-2024-11-fr"
SOURCE_2023_NL = "ht210060-2023-nl"
SOURCE_CHANGES = "ht210060-2026-en"

# The known errata of the printed sources, and what the catalog must hold instead.
PORT_ERRATA = {
    "433": 443,  # sylvan.apple.com in the French edition: typo for 443
    "1231": 123,  # HT201999 common ports: port 123 with footnote marker 1 glued on
    "52231": 5223,  # HT201999 common ports: port 5223 with footnote marker 1 glued on
}
HOST_ERRATA = {"www.apple.com/fr": "www.apple.com"}  # a host with a per-language path
PROTOCOL_ERRATA = {
    "SSH": "TCP",  # upload.appleschoolcontent.com: SFTP over SSH is TCP 22
    "": "TCP",  # HT201999 port ranges 8000-8999 / 42000-42999 print no protocol; web and radio streams are TCP
}
BAD_PORTS = (433, 1231, 52231)
FOOTNOTE_PROCESS_NAMES = ("dotmacsyncclient.exe2", "com.google.ContactSync.exe2", "com.yahoo.go.sync.client.exe2")

PLATFORM_NAMES = {"ios": "ios", "ipados": "ipados", "tvos": "tvos", "watchos": "watchos", "macos": "macos",
                  "visionos": "visionos"}
PROXY_YES = {"Oui", "Ja", "Ano"}
EMPTY_DESCRIPTIONS = {"", "—", "-", "__"}


def _load_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(name="catalog", scope="module")
def fixture_catalog():
    return _load_yaml(CATALOG_FILE)


@pytest.fixture(name="rows_2024", scope="module")
def fixture_rows_2024():
    return _load_yaml(FIXTURES / "source_rows_2024_11.yml")["rows"]


@pytest.fixture(name="rows_commonports", scope="module")
def fixture_rows_commonports():
    return _load_yaml(FIXTURES / "source_rows_commonports.yml")["rows"]


def _normalize(text: str) -> str:
    """Case, accents, apostrophes and punctuation folded, so a copy with cosmetic changes still compares equal."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _ports(cell: str) -> list:
    """Printed ports ('443, 80', '5350 (UDP)', '8000-8999', '433') as catalog values, errata corrected."""
    values = []
    for part in cell.split(","):
        printed = re.sub(r"\s*\((TCP|UDP)\)$", "", part.strip())
        if printed in PORT_ERRATA:
            values.append(PORT_ERRATA[printed])
        elif re.fullmatch(r"\d+", printed):
            values.append(int(printed))
        else:
            assert re.fullmatch(r"\d+-\d+", printed), f"unexpected printed port {part!r}"
            values.append(printed)
    return values


def _protocols(cell: str) -> list[str]:
    names = [PROTOCOL_ERRATA.get(p.strip(), p.strip()) for p in re.split(r",|/", cell)] if cell else ["TCP"]
    assert set(names) <= {"TCP", "UDP"}, f"unexpected printed protocol {cell!r}"
    return [n.lower() for n in names]


def _platforms(cell: str) -> set[str]:
    """'iOS, iPadOS, tvOS, macOS et visionOS' -> {...}; 'macOS uniquement' -> {macos}; '-' -> set()."""
    if cell.strip() in ("-", "—", ""):
        return set()
    cell = cell.replace(" uniquement", "")
    names = [n.strip().lower() for n in re.split(r",| et ", cell) if n.strip()]
    unknown = [n for n in names if n not in PLATFORM_NAMES]
    assert not unknown, f"unexpected printed platform(s) {unknown} in {cell!r}"
    return {PLATFORM_NAMES[n] for n in names}


def _expected_proxy(row: dict) -> bool | None:
    # Erratum: several French rows print the proxy answer in the Description column and leave the proxy empty.
    if row["description"] in PROXY_YES and row["proxy"] == "":
        return True
    return True if row["proxy"] in PROXY_YES else None


def _entry_for(catalog: dict, section: str, host: str) -> dict:
    found = [e for e in catalog["entries"] if e["section"] == section and e["host"] == host]
    assert len(found) == 1, f"expected one entry for {host!r} in section {section!r}, found {len(found)}"
    return found[0]


def _all_port_values(catalog: dict):
    for item in catalog["entries"] + catalog["ports"]:
        for proto in ("tcp", "udp"):
            for port in item[proto]:
                yield item["id"], proto, port


def _covers(port_value, port: int) -> bool:
    if isinstance(port_value, int):
        return port_value == port
    low, high = (int(p) for p in port_value.split("-"))
    return low <= port <= high


# ------------------------------------------------------------------------------------------------ schema

def test_catalog_validates_against_schema(catalog):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed in this environment "
                                                          "(it is listed in requirements-test*.txt)")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(catalog)]
    assert errors == []


@pytest.mark.parametrize("mutation, where", [
    (lambda c: c["entries"][0].update(tcp=[70000]), "entries/0/tcp/0"),
    (lambda c: c["entries"][0].update(tcp=["9000-80000"]), "entries/0/tcp/0"),
    (lambda c: c["entries"][0].update(section="nosuchsection"), "entries/0/section"),
    (lambda c: c["entries"][0].update(platforms=["iOS"]), "entries/0/platforms/0"),
    (lambda c: c["entries"][0].update(host="evil.apple.com;reboot"), "entries/0/host"),
    (lambda c: c["entries"][0].update(status="gone"), "entries/0/status"),
    (lambda c: c["entries"][0].update(colour="red"), "entries/0"),
    (lambda c: c["entries"][0]["description"].pop("en"), "entries/0/description"),
    (lambda c: c["ports"][0].update(udp=[0]), "ports/0/udp/0"),
    (lambda c: c["entries"][0].update(scope="wide"), "entries/0/scope"),
    (lambda c: c["entries"][0].update(scope="shortcut"), "entries/0/scope"),  # a host name is scope host
    (lambda c: c["entries"][0].update(port_basis="guessed"), "entries/0/port_basis"),
    (lambda c: c["entries"][0].pop("scope"), "entries/0"),
])
def test_schema_is_strict(catalog, mutation, where):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed in this environment "
                                                          "(it is listed in requirements-test*.txt)")
    broken = json.loads(json.dumps(catalog))
    mutation(broken)
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    paths = {"/".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(broken)}
    assert where in paths


def test_schema_wants_a_probe_or_a_reason_for_each_wildcard(catalog):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed in this environment "
                                                          "(it is listed in requirements-test*.txt)")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    index = next(i for i, e in enumerate(catalog["entries"]) if e["host"] == "*.smoot.apple.com")
    for change in ({"probe": None}, {"no_probe_reason": "both at once"}):
        broken = json.loads(json.dumps(catalog))
        broken["entries"][index].update(change)
        paths = {"/".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(broken)}
        assert f"entries/{index}" in paths, change


# ------------------------------------------------------------------------------------------------ the sources

def test_fixture_holds_every_row_of_the_2024_edition(rows_2024):
    # 21 tables, 139 rows: a truncated transcription would prove nothing
    assert len(rows_2024) == 139
    assert len({r["section"] for r in rows_2024}) == 20


def test_every_2024_row_is_in_the_catalog_with_corrected_ports(catalog, rows_2024):
    for row in rows_2024:
        host = HOST_ERRATA.get(row["host"], row["host"])
        entry = _entry_for(catalog, row["section"], host)
        assert SOURCE_2024_FR in entry["sources"], entry["id"]
        for proto in _protocols(row["protocol"]):
            for port in _ports(row["ports"]):
                assert port in entry[proto], f"{entry['id']}: {proto} {port} (printed {row['ports']!r}) missing"
        # nothing beyond what the row prints
        printed = {(p, port) for p in _protocols(row["protocol"]) for port in _ports(row["ports"])}
        held = {(p, port) for p in ("tcp", "udp") for port in entry[p]}
        assert held == printed, f"{entry['id']}: ports {held} differ from the row {printed}"


def test_every_2024_row_has_platforms_and_proxy_as_printed(catalog, rows_2024):
    for row in rows_2024:
        entry = _entry_for(catalog, row["section"], HOST_ERRATA.get(row["host"], row["host"]))
        assert set(entry["platforms"]) == _platforms(row["os"]), entry["id"]
        assert entry["proxy"] is _expected_proxy(row), f"{entry['id']}: proxy {entry['proxy']!r} for {row!r}"


def test_errata_of_the_2024_edition_are_corrected(catalog, rows_2024):
    sylvan = _entry_for(catalog, "appscontent", "sylvan.apple.com")
    assert sorted(sylvan["tcp"]) == [80, 443]
    fonts = _entry_for(catalog, "businessschool", "www.apple.com")
    assert "/fr" in fonts["notes"] and fonts["probe"] == "www.apple.com"
    sftp = _entry_for(catalog, "businessschool", "upload.appleschoolcontent.com")
    assert (sftp["tcp"], sftp["udp"]) == ([22], [])
    oui_rows = [r for r in rows_2024 if r["description"] in PROXY_YES and r["proxy"] == ""]
    assert {r["host"] for r in oui_rows} >= {"gs.apple.com", "humb.apple.com", "static.ips.apple.com",
                                             "tbsc.apple.com", "xp.apple.com", "ns.itunes.apple.com",
                                             "itunes.apple.com"}
    for row in oui_rows:
        entry = _entry_for(catalog, row["section"], row["host"])
        assert entry["proxy"] is True
        assert _normalize(entry["description"]["fr"]) != "oui", entry["id"]
    for entry in catalog["entries"]:
        if "/" in entry["host"]:
            ipaddress.ip_network(entry["host"])  # a CIDR, never a host with a path


def test_2024_entries_all_come_from_the_fixture(catalog, rows_2024):
    printed = {(r["section"], HOST_ERRATA.get(r["host"], r["host"])) for r in rows_2024}
    claimed = {(e["section"], e["host"]) for e in catalog["entries"] if SOURCE_2024_FR in e["sources"]}
    # the firewall advice is prose, not a table row
    claimed = {c for c in claimed if c[0] != "firewall"}
    assert claimed == printed


def test_fixture_holds_every_common_port_row(rows_commonports):
    assert [r["port"] for r in rows_commonports] == ["80", "443", "1231", "554", "1900", "3689", "52231",
                                                     "5350 (UDP)", "5351 (UDP)", "5353 (UDP)", "8000-8999",
                                                     "42000-42999"]


def test_every_common_port_row_is_in_the_catalog_corrected(catalog, rows_commonports):
    items = [p for p in catalog["ports"] if p["section"] == "commonports"]
    assert len(items) == len(rows_commonports)
    for row, item in zip(rows_commonports, items):
        expected = {(proto, port) for proto in _protocols(row["protocol"]) for port in _ports(row["port"])}
        held = {(proto, port) for proto in ("tcp", "udp") for port in item[proto]}
        assert held == expected, f"{item['id']}: {held} for printed {row['port']!r} {row['protocol']!r}"
        for lang in ("nl", "cs"):
            assert _normalize(item["description"][lang]) != _normalize(row[f"used_for_{lang}"]), item["id"]
    ntp = next(p for p in items if p["service"] == "ntp")
    assert (ntp["tcp"], ntp["udp"]) == ([123], [123]) and "1231" in ntp["notes"]
    push = next(p for p in items if 5223 in p["tcp"])
    assert "52231" in push["notes"]


# ------------------------------------------------------------------------------------------------ integrity

def test_no_erratum_port_anywhere(catalog):
    for item_id, proto, port in _all_port_values(catalog):
        for bad in BAD_PORTS:
            assert not _covers(port, bad), f"{item_id}: {proto} {port!r} holds the misprint {bad}"


def test_ports_are_valid(catalog):
    for item_id, proto, port in _all_port_values(catalog):
        if isinstance(port, int):
            assert not isinstance(port, bool) and 1 <= port <= 65535, (item_id, proto, port)
        else:
            low, high = (int(p) for p in port.split("-"))
            assert 1 <= low < high <= 65535, (item_id, proto, port)


def test_ids_are_unique_and_follow_the_rule(catalog):
    ids = [e["id"] for e in catalog["entries"]] + [p["id"] for p in catalog["ports"]]
    ids += [p["id"] for p in catalog["processes"]]
    assert len(ids) == len(set(ids))
    for entry in catalog["entries"]:
        host = entry["host"]
        expected = f"{host[2:]}-wildcard" if host.startswith("*.") else host.replace("/", "-").replace(":", ".")
        assert entry["id"] == f"{entry['section']}.{expected}"


def test_history_links_and_dates(catalog):
    by_id = {e["id"]: e for e in catalog["entries"]}
    for entry in catalog["entries"]:
        if entry["status"] == "renamed":
            target = by_id.get(entry["renamed_to"])
            assert target is not None, f"{entry['id']}: renamed_to {entry['renamed_to']!r} does not exist"
            assert target["status"] == "current" and target["section"] == entry["section"]
        else:
            assert entry["renamed_to"] is None, entry["id"]
        if entry["status"] in ("removed", "renamed"):
            assert entry["removed"] and entry["probe"] is None, entry["id"]
        else:
            assert entry["removed"] is None, entry["id"]
        if entry["added"] and entry["last_seen"]:
            assert entry["added"][:4] <= entry["last_seen"][:4], entry["id"]


@pytest.mark.parametrize("entry_id, status, removed, renamed_to", [
    ("appscontent.token.safebrowsing.apple.com", "renamed", "2025-03", "appscontent.token.safebrowsing.apple"),
    ("taptopay.phonesubmissions.apple.com", "renamed", "2025-04", "taptopay.iphonesubmissions.apple.com"),
    ("software.ns.itunes.apple.com", "removed", "2025-04", None),
    ("devicemanagement.gateway.push.apple.com", "removed", "2021-03", None),
    ("devicemanagement.feedback.push.apple.com", "removed", "2021-03", None),
    ("appleaccount.appleid.apple.com", "renamed", "2024-09", "appleaccount.account.apple.com"),
    ("certificates.crl.entrust.net", "removed", "2024-09", None),
    ("software.gnf-mdn.apple.com", "removed", "2024-11", None),
])
def test_known_history(catalog, entry_id, status, removed, renamed_to):
    entry = next(e for e in catalog["entries"] if e["id"] == entry_id)
    assert (entry["status"], entry["removed"], entry["renamed_to"]) == (status, removed, renamed_to)


def test_retired_apns_provider_ports_are_history_only(catalog):
    for entry in catalog["entries"]:
        if {2195, 2196} & set(entry["tcp"]):
            assert entry["status"] == "removed" and entry["probe"] is None, entry["id"]


def test_unverified_entries_come_from_the_changes_sheet_only(catalog):
    unverified = [e for e in catalog["entries"] if e["status"] == "unverified"]
    assert [e["host"] for e in unverified] == ["*.apple-dns.net"]
    assert all(e["sources"] == [SOURCE_CHANGES] for e in unverified)


def test_source_keys_and_sections_exist(catalog):
    for item in catalog["entries"] + catalog["ports"] + catalog["processes"]:
        assert item["section"] in catalog["sections"], item["id"]
        for key in item["sources"]:
            assert key in catalog["sources"], f"{item['id']}: unknown source {key!r}"
    used = {k for item in catalog["entries"] + catalog["ports"] + catalog["processes"] for k in item["sources"]}
    assert used == set(catalog["sources"]), "a source nothing cites"
    assert list(catalog["sections"])[:2] == ["devicesetup", "devicemanagement"]


def test_entries_follow_the_section_order(catalog):
    order = list(catalog["sections"])
    positions = [order.index(e["section"]) for e in catalog["entries"]]
    assert positions == sorted(positions)


# Concrete names under the wildcards that had none, each found in public material the entry's note cites.
WILDCARD_PROBES = {
    "*.appattest.apple.com": "data.appattest.apple.com",
    "*.apps.apple.com": "api.apps.apple.com",
    "*.business.apple.com": "ws.business.apple.com",
    "*.gc.apple.com": "static.gc.apple.com",
    "*.icloud-content.com": "cvws.icloud-content.com",
    "*.icloud.apple.com": "api.icloud.apple.com",
    "*.iwork.apple.com": "exportws.iwork.apple.com",
    "*.smoot.apple.com": "api.smoot.apple.com",
    "*.apzones.com": "idmsaapz-mdn.apzones.com",
    "*.vertexsmb.com": "ccwizard.vertexsmb.com",
    "*.apps-marketplace.apple.com": "amp-api.apps-marketplace.apple.com",
}


def test_probes(catalog):
    for entry in catalog["entries"]:
        host, probe = entry["host"], entry["probe"]
        if entry["status"] not in ("current", "unverified"):
            continue
        if host.startswith("*."):
            if probe is None:
                # Never the bare domain instead: the wildcard does not match it.
                assert entry.get("no_probe_reason"), f"{entry['id']}: a wildcard without a probe must say why"
            else:
                assert probe.endswith("." + host[2:]) and "*" not in probe, entry["id"]
                assert "no_probe_reason" not in entry, entry["id"]
        elif "/" in host:
            ipaddress.ip_network(host)
            assert probe is None, entry["id"]
        else:
            assert probe == host, entry["id"]


def test_descriptions(catalog, rows_2024):
    printed_fr = {_normalize(r["description"]) for r in rows_2024 if r["description"] not in EMPTY_DESCRIPTIONS}
    for item in catalog["entries"] + catalog["ports"] + catalog["processes"]:
        assert item["description"].get("en"), f"{item['id']}: no English description"
        fr = item["description"].get("fr")
        if fr is not None:
            assert _normalize(fr) not in printed_fr, f"{item['id']}: French description copies the source: {fr!r}"
    for entry in catalog["entries"]:
        if SOURCE_2024_FR in entry["sources"] and entry["section"] != "firewall":
            assert entry["description"].get("fr"), f"{entry['id']}: a row of the French edition needs 'fr'"
        if entry["sources"] == [SOURCE_2023_NL]:
            assert entry["description"].get("nl"), f"{entry['id']}: a Dutch-only row needs 'nl'"
        if entry["section"] == "serverhosts":
            assert {"nl", "cs"} <= set(entry["description"]), entry["id"]
    for item in catalog["ports"]:
        if item["section"] == "imessagefacetime":
            assert item["description"].get("de"), item["id"]


def test_required_false_where_apple_says_may(catalog):
    optional = {e["id"] for e in catalog["entries"] if e["required"] is False}
    assert {"diagnostics.diagassets.apple.com", "taptopay.iphonesubmissions.apple.com",
            "taptopay.phonesubmissions.apple.com", "firewall.17.0.0.0-8"} <= optional
    assert all(e["section"] in ("diagnostics", "taptopay", "firewall") for e in catalog["entries"]
               if e["id"] in optional)


def test_firewall_blocks(catalog):
    firewall = {e["host"] for e in catalog["entries"] if e["section"] == "firewall"}
    assert {"17.0.0.0/8", "17.249.0.0/16", "17.252.0.0/16", "17.57.144.0/22", "17.188.128.0/18", "17.188.20.0/23",
            "2620:149:a44::/48", "2403:300:a42::/48", "2403:300:a51::/48", "2a01:b740:a42::/48"} <= firewall
    apple_block = ipaddress.ip_network("17.0.0.0/8")
    for host in firewall:
        if "/" in host:
            network = ipaddress.ip_network(host)  # strict: no host bits set
            assert str(network) == host
            if network.version == 4:
                assert network.subnet_of(apple_block)


def test_processes(catalog):
    names = [p["name"] for p in catalog["processes"]]
    assert len(names) == 20 and len(set(names)) == 20
    for printed in FOOTNOTE_PROCESS_NAMES:
        assert printed not in names and printed[:-1] in names
        assert printed in next(p for p in catalog["processes"] if p["name"] == printed[:-1])["notes"]
    assert {p["group"] for p in catalog["processes"]} == {"always", "sync_dependent"}


def test_every_default_wildcard_has_a_probe_name_with_its_source(catalog):
    current = [e for e in catalog["entries"] if e["status"] == "current" and e["host"].startswith("*.")]
    assert all(e["probe"] for e in current), [e["id"] for e in current if not e["probe"]]
    for host, probe in WILDCARD_PROBES.items():
        entries = [e for e in current if e["host"] == host]
        assert entries, host
        for entry in entries:
            assert entry["probe"] == probe, entry["id"]
            assert f"Probe {probe}:" in entry["notes"], f"{entry['id']}: the note must say where {probe} is from"
    (dns,) = [e for e in catalog["entries"] if e["host"] == "*.apple-dns.net"]
    assert dns["probe"] is None and "no documented host name" in dns["no_probe_reason"]


SHORTCUTS = {"firewall.apple.com-wildcard", "firewall.17.0.0.0-8"}
PLATFORMS = {"serverhosts.amazonaws.com-wildcard"}


def test_every_entry_says_how_broad_it_is(catalog):
    for entry in catalog["entries"]:
        host, scope = entry["host"], entry["scope"]
        if host.startswith("*.") or "/" in host:
            assert scope in ("domain", "shortcut", "platform"), entry["id"]
            assert f"Scope {scope}:" in (entry["notes"] or ""), f"{entry['id']}: the note must say why it is {scope}"
        else:
            assert scope == "host", entry["id"]
    assert {e["id"] for e in catalog["entries"] if e["scope"] == "shortcut"} == SHORTCUTS
    assert {e["id"] for e in catalog["entries"] if e["scope"] == "platform"} == PLATFORMS


def test_ports_apple_does_not_list_for_a_host_are_inferred(catalog):
    inferred = {e["id"] for e in catalog["entries"] if e["port_basis"] == "inferred"}
    # HT201999 prints host names without ports, and Apple names no ports for its firewall shortcuts.
    assert inferred == {e["id"] for e in catalog["entries"] if e["section"] == "serverhosts"} | SHORTCUTS


def _newest_ports(rows_2024, rows_changes):
    """host -> {(protocol, port)} from Apple's newest table that lists it; None for hosts removed since."""
    newest: dict = {}
    for row in rows_2024:
        host = HOST_ERRATA.get(row["host"], row["host"])
        printed = {(p, port) for p in _protocols(row["protocol"]) for port in _ports(row["ports"])}
        newest.setdefault(host, set()).update(printed)
    for row in rows_changes:
        if row["confidence"] == "C":
            continue  # one copy only: unverified, outside the default selection
        newest[row["host"]] = None if row["change"] == "removed" else {
            (p, port) for p in _protocols(row["protocol"]) for port in _ports(row["ports"])}
    return newest


def test_default_ports_per_host_are_what_apple_lists(catalog, rows_2024):
    rows_changes = _load_yaml(FIXTURES / "source_rows_2026_changes.yml")["rows"]
    newest = _newest_ports(rows_2024, rows_changes)
    newest_transcribed = max(row["date"] for row in rows_changes if row["date"])
    held: dict = {}
    for entry in catalog["entries"]:
        if entry["status"] != "current" or entry["scope"] in ("shortcut", "platform") or \
                entry["port_basis"] == "inferred":
            continue
        if (entry["last_seen"] or "") > newest_transcribed:
            # Read by the article reader from an edition newer than these transcriptions: that page, which the
            # reviewed diff showed row by row, is Apple's newest table for this host.
            continue
        held.setdefault(entry["host"], set()).update((p, port) for p in ("tcp", "udp") for port in entry[p])
    for host, ports in held.items():
        assert newest.get(host) == ports, f"{host}: default ports {ports}, Apple lists {newest.get(host)}"
    assert {h for h, ports in newest.items() if ports} == set(held)  # nothing Apple lists is left out
    assert held["albert.apple.com"] == {("tcp", 443)}
    assert held["appldnld.apple.com"] == {("tcp", 80)}
    for host in ("configuration.apple.com", "skl.apple.com", "*.mzstatic.com", "*.cdn-apple.com"):
        assert ("tcp", 80) not in held[host], host


def test_sources_are_the_right_articles(catalog):
    sources = catalog["sources"]
    assert not any("202944" in key for key in sources)
    for key, locale in (("ht201999-nl", "nl-nl"), ("ht201999-cs", "cs-cz")):
        assert sources[key]["url"] == f"https://support.apple.com/{locale}/HT201999"
        assert "HT201999" in sources[key]["title"]
    assert sources["ht202078-en"]["url"] == "https://support.apple.com/en-us/102036"
    assert "not an Apple article" in sources["imessage-facetime-de"]["title"]
    for entry in catalog["entries"]:
        if entry["section"] == "serverhosts":
            assert set(entry["sources"]) <= {"ht201999-nl", "ht201999-cs"}, entry["id"]
        assert "HT202944" not in (entry["notes"] or ""), entry["id"]


def test_imessage_facetime_ports(catalog):
    items = [p for p in catalog["ports"] if p["section"] == "imessagefacetime"]
    held = {(proto, port) for p in items for proto in ("tcp", "udp") for port in p[proto]}
    assert held == {("tcp", 80), ("tcp", 443), ("tcp", 5223),
                    ("udp", "3478-3497"), ("udp", "16384-16387"), ("udp", "16393-16402")}
    assert all(p["sources"][0] == "ht202078-en" for p in items)  # Apple's own article first
    assert ("udp", 53) not in held  # ordinary DNS on the secondary page, not an activation port


@pytest.mark.parametrize("entry_id, added", [
    ("software.wkms-public.apple.com", "2025-03"),
    ("software.fcs-keys-pub-prod.cdn-apple.com", "2025-03"),
    ("icloud.probe.icloud.com", "2026-03"),
    ("icloud.pong.icloud.com", "2026-03"),
    ("icloud.metrics.icloud.com", "2026-03"),
    ("icloud.apple-native-relay.apple.com", "2026-03"),
])
def test_added_dates_come_from_a_dated_copy(catalog, entry_id, added):
    entry = next(e for e in catalog["entries"] if e["id"] == entry_id)
    assert entry["added"] == added
    if added == "2026-03":
        assert "a copy dated 2025-12 lacks it" in entry["notes"] and "between" in entry["notes"]


def test_added_only_with_a_dated_source(catalog):
    dated = {key for key, source in catalog["sources"].items() if source["date"]}
    for entry in catalog["entries"]:
        if entry["added"] is not None:
            assert dated & set(entry["sources"]), entry["id"]


def test_the_collection_loader_accepts_the_catalog():
    catalog_module = pytest.importorskip(
        "ansible_collections.netallow.apple.plugins.plugin_utils._catalog",
        reason="the collection is not importable here (run through ansible-test units)")
    loaded = catalog_module.load_catalog(str(CATALOG_FILE))
    assert len(loaded.entries) >= 190
    selected = {e["id"] for e in catalog_module.select(loaded)}
    assert selected >= {"devicesetup.albert.apple.com", "devicemanagement.push.apple.com-wildcard"}


# ------------------------------------------------------------------------------------------------ 2023 history

# A row the 2023 edition printed in another table than the one that carries it today.
MOVED_SINCE_2023 = {("businessschool", "ws-ee-maidsvc.icloud.com"): "businessschoolusers"}


@pytest.fixture(name="rows_2023", scope="module")
def fixture_rows_2023():
    return _load_yaml(FIXTURES / "source_rows_2023_nl.yml")["rows"]


def test_fixture_holds_every_row_of_the_2023_edition(rows_2023):
    assert len(rows_2023) == 106


def test_every_2023_row_is_in_the_catalog_with_its_history(catalog, rows_2023, rows_2024):
    in_2024 = {(r["section"], HOST_ERRATA.get(r["host"], r["host"])) for r in rows_2024}
    for row in rows_2023:
        section = MOVED_SINCE_2023.get((row["section"], row["host"]), row["section"])
        entry = _entry_for(catalog, section, row["host"])
        assert SOURCE_2023_NL in entry["sources"] and entry["added"] == "2023", entry["id"]
        printed = {(p, port) for p in _protocols(row["protocol"]) for port in _ports(row["ports"])}
        held = {(p, port) for p in ("tcp", "udp") for port in entry[p]}
        assert printed <= held, f"{entry['id']}: 2023 ports {printed} not in {held}"
        if (section, row["host"]) in in_2024:
            assert entry["last_seen"] >= "2024-11", entry["id"]
        else:
            # printed in 2023, gone by November 2024: history, never probed, out of the default selection
            assert entry["status"] in ("removed", "renamed") and entry["last_seen"] == "2023", entry["id"]
            assert entry["description"].get("nl"), entry["id"]


def test_2023_entries_all_come_from_the_fixture(catalog, rows_2023):
    printed = {(MOVED_SINCE_2023.get((r["section"], r["host"]), r["section"]), r["host"]) for r in rows_2023}
    claimed = {(e["section"], e["host"]) for e in catalog["entries"]
               if SOURCE_2023_NL in e["sources"] and e["section"] != "firewall"}
    assert claimed == printed

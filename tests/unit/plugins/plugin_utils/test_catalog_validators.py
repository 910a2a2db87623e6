# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One catalog validator: the loader (``_catalog.build_catalog``), which every lookup, role and module runs.

The JSON schema is the same contract for editors and CI, derived from it: every rule below is broken once, and
the loader must refuse each break. The schema must refuse each break that JSON Schema can express; the breaks it
cannot express (references between entries, numeric order, address arithmetic) are listed as the loader's own,
and the schema is tested to let them through, so a rule moving between the two is noticed here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import CatalogError, build_catalog

ROOT = Path(__file__).resolve().parents[4]
SCHEMA = json.loads((ROOT / "vars" / "catalog.schema.json").read_text(encoding="utf-8"))
with (ROOT / "vars" / "catalog.yml").open(encoding="utf-8") as _handle:
    CATALOG = yaml.safe_load(_handle)


def _index(predicate) -> int:
    return next(i for i, entry in enumerate(CATALOG["entries"]) if predicate(entry))


HOST = _index(lambda e: e["host"] == "albert.apple.com" and e["status"] == "current")
WILDCARD = _index(lambda e: e["host"] == "*.smoot.apple.com")
RENAMED = _index(lambda e: e["status"] == "renamed")
BLOCK = _index(lambda e: e["host"] == "17.249.0.0/16")


def _entry(index: int, **changes):
    return lambda catalog: catalog["entries"][index].update(changes)


BOTH = {
    "port 0": _entry(HOST, tcp=[0]),
    "port 70000": _entry(HOST, tcp=[70000]),
    "range past 65535": _entry(HOST, tcp=["9000-80000"]),
    "port true": _entry(HOST, tcp=[True]),
    "port listed twice": _entry(HOST, tcp=[443, 443]),
    "no port at all": _entry(HOST, tcp=[], udp=[]),
    "unknown section": _entry(HOST, section="nosuchsection"),
    "port-only section on an entry": _entry(HOST, section="commonports"),
    "entry section on a port row": lambda c: c["ports"][0].update(section="devicesetup"),
    "unknown section key": lambda c: c["sections"].update(nosuchsection=c["sections"]["dns"]),
    "platform in capitals": _entry(HOST, platforms=["iOS"]),
    "platform listed twice": _entry(HOST, platforms=["ios", "ios"]),
    "host with a semicolon": _entry(HOST, host="evil.apple.com;reboot"),
    "host in capitals": _entry(HOST, host="Albert.apple.com"),
    "unknown status": _entry(HOST, status="gone"),
    "unknown key": _entry(HOST, colour="red"),
    "missing scope": lambda c: c["entries"][HOST].pop("scope"),
    "unknown scope": _entry(HOST, scope="wide"),
    "host name with a broad scope": _entry(HOST, scope="shortcut"),
    "unknown port basis": _entry(HOST, port_basis="guessed"),
    "id with a space": _entry(HOST, id="Bad Id"),
    "service with a hyphen": _entry(HOST, service="Bad-Service"),
    "proxy as text": _entry(HOST, proxy="yes"),
    "required null": _entry(HOST, required=None),
    "added in words": _entry(HOST, added="May 2024"),
    "added month 13": _entry(HOST, added="2024-13"),
    "no source": _entry(HOST, sources=[]),
    "source listed twice": lambda c: c["entries"][HOST].update(sources=c["entries"][HOST]["sources"] * 2),
    "no English description": lambda c: c["entries"][HOST]["description"].pop("en"),
    "unknown language": lambda c: c["entries"][HOST]["description"].update(es="hola"),
    "description over two lines": lambda c: c["entries"][HOST]["description"].update(en="one\nreboot"),
    "description too long": lambda c: c["entries"][HOST]["description"].update(en="x" * 301),
    "current entry with a removal date": _entry(HOST, removed="2024-05"),
    "wildcard probed at a wildcard": _entry(WILDCARD, probe="*.x.apple.com"),
    "wildcard without probe or reason": _entry(WILDCARD, probe=None),
    "wildcard with probe and reason": _entry(WILDCARD, no_probe_reason="both at once"),
    "renamed entry without successor": _entry(RENAMED, renamed_to=None),
    "renamed entry without date": _entry(RENAMED, removed=None),
    "history of an addition": _entry(HOST, history=[{"date": "2024", "change": "added", "detail": "x"}]),
    "history without detail": _entry(HOST, history=[{"date": "2024", "change": "changed"}]),
    "port row on port 0": lambda c: c["ports"][0].update(udp=[0]),
    "unknown top-level key": lambda c: c.update(colour="red"),
}
# References and arithmetic that JSON Schema cannot express: the loader alone refuses them.
LOADER_ONLY = {
    "range low above high": _entry(HOST, tcp=["9000-8000"]),
    "unknown source key": _entry(HOST, sources=["nosuchsource"]),
    "probe outside its wildcard": _entry(WILDCARD, probe="other.example.com"),
    "successor that does not exist": _entry(RENAMED, renamed_to="nosuch.id"),
    "id listed twice": lambda c: c["entries"].append(copy.deepcopy(c["entries"][HOST])),
    "CIDR with host bits": _entry(BLOCK, host="17.249.0.1/16"),
}
# Release bookkeeping the loader leaves to the schema, so that a user's own smaller catalog (catalog_path) loads.
SCHEMA_ONLY = {
    "version not YYYY.M.N": lambda c: c.update(catalog_version="v1"),
    "no processes list": lambda c: c.pop("processes"),
}


def _broken(mutation) -> dict:
    broken = copy.deepcopy(CATALOG)
    mutation(broken)
    return broken


def _schema_accepts(document) -> bool:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return not any(True for _error in validator.iter_errors(json.loads(json.dumps(document))))


def _loader_accepts(document) -> bool:
    try:
        build_catalog(document)
    except CatalogError:
        return False
    return True


def test_both_accept_the_shipped_catalog():
    assert _schema_accepts(CATALOG)
    assert _loader_accepts(CATALOG)


@pytest.mark.parametrize("rule", sorted(BOTH))
def test_both_refuse(rule):
    broken = _broken(BOTH[rule])
    assert not _loader_accepts(broken), rule
    assert not _schema_accepts(broken), rule


@pytest.mark.parametrize("rule", sorted(LOADER_ONLY))
def test_the_loader_alone_refuses(rule):
    broken = _broken(LOADER_ONLY[rule])
    assert not _loader_accepts(broken), rule
    assert _schema_accepts(broken), f"{rule}: the schema refuses it now; move it to BOTH"


@pytest.mark.parametrize("rule", sorted(SCHEMA_ONLY))
def test_the_schema_alone_refuses(rule):
    broken = _broken(SCHEMA_ONLY[rule])
    assert not _schema_accepts(broken), rule
    assert _loader_accepts(broken), f"{rule}: the loader refuses it now; move it to BOTH"


def test_loader_messages_name_the_value():
    with pytest.raises(CatalogError, match=r"'commonports'.*valid: .*devicesetup"):
        build_catalog(_broken(BOTH["port-only section on an entry"]))
    with pytest.raises(CatalogError, match=r"'2024-13' must be YYYY or YYYY-MM"):
        build_catalog(_broken(BOTH["added month 13"]))
    with pytest.raises(CatalogError, match=r"platforms: 'ios' is listed twice"):
        build_catalog(_broken(BOTH["platform listed twice"]))

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the catalog core (loading, checking, selecting), on a small catalog built in the test."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.netallow.apple.plugins.plugin_utils._catalog import (
    CatalogError,
    build_catalog,
    changes,
    classify_host,
    load_catalog,
    parse_port,
    select,
    since_month,
    summarize,
)
from ansible_collections.netallow.apple.tests.unit.catalog_sample import RAW


@pytest.fixture(name="catalog")
def fixture_catalog():
    return build_catalog(copy.deepcopy(RAW), "test")


@pytest.mark.parametrize("value, expected", [(443, 443), ("80", 80), ("8000-8999", (8000, 8999)), (65535, 65535)])
def test_parse_port_accepts(value, expected):
    assert parse_port(value) == expected


@pytest.mark.parametrize("value", [0, 65536, -1, "x", "443;", True, "9-3", "1-70000", None, 4.5, "80 443", "\u00b2",
                                   "\u0661"])
def test_parse_port_refuses_and_names_value(value):
    with pytest.raises(CatalogError, match=repr(value).replace("(", r"\(").replace("[", r"\[")):
        parse_port(value)


@pytest.mark.parametrize("host, kind", [("albert.apple.com", "fqdn"), ("*.push.apple.com", "wildcard"),
                                        ("17.0.0.0/8", "cidr"), ("2403:300:a42::/48", "cidr"),
                                        ("app-site-association.networking.apple", "fqdn")])
def test_classify_host(host, kind):
    assert classify_host(host)[0] == kind


@pytest.mark.parametrize("host", ["Albert.apple.com", "a..b.com", "*.*.apple.com", "17.0.0.1/8", "17.0.0.1",
                                  "evil.com;drop", "a b.com", "", "push.apple.com.", "-x.apple.com", "x*.apple.com",
                                  "albert.apple.com\n", "albert.apple.com\nhttp_access allow all"])
def test_classify_host_refuses(host):
    with pytest.raises(CatalogError):
        classify_host(host)


def test_derived_keys(catalog):
    push = catalog.by_id["devicemanagement.push.apple.com-wildcard"]
    assert (push["kind"], push["domain"], push["family"]) == ("wildcard", "push.apple.com", None)
    assert catalog.by_id["firewall.2620.149.a44..-48"]["family"] == 6


def test_default_selection_is_current_only(catalog):
    ids = [e["id"] for e in select(catalog)]
    assert "software.ns.itunes.apple.com" not in ids
    assert "software.gg.apple.com" not in ids
    assert ids == ["devicesetup.albert.apple.com", "devicesetup.time.apple.com",
                   "devicemanagement.push.apple.com-wildcard", "businessschool.business.apple.com-wildcard",
                   "firewall.2620.149.a44..-48"]


BROAD_IDS = {"firewall.17.0.0.0-8", "firewall.apple.com-wildcard", "software.amazonaws.com-wildcard",
             "software.configuration.apple.com"}


def test_default_selection_is_precise(catalog):
    precise = select(catalog)
    assert not BROAD_IDS & {e["id"] for e in precise}
    assert all(e["broad"] is False for e in precise)
    assert {e["scope"] for e in precise} == {"host", "domain"}
    assert {e["port_basis"] for e in precise} == {"listed"}
    assert select(catalog, section="firewall") == [e for e in precise if e["section"] == "firewall"]


def test_include_broad_adds_shortcuts_platforms_and_inferred_ports(catalog):
    everything = select(catalog, include_broad=True)
    broad = {e["id"]: e for e in everything if e["broad"]}
    assert set(broad) == BROAD_IDS
    assert broad["firewall.17.0.0.0-8"]["scope"] == "shortcut"
    assert broad["firewall.apple.com-wildcard"]["scope"] == "shortcut"
    assert broad["software.amazonaws.com-wildcard"]["scope"] == "platform"
    assert broad["software.configuration.apple.com"]["port_basis"] == "inferred"
    assert len(everything) == len(select(catalog)) + len(BROAD_IDS)


def test_naming_a_broad_id_needs_include_broad(catalog):
    with pytest.raises(CatalogError, match="'firewall.17.0.0.0-8' is broad.*include_broad=true"):
        select(catalog, ids=["firewall.17.0.0.0-8", "devicesetup.albert.apple.com"])
    assert [e["id"] for e in select(catalog, ids="firewall.17.0.0.0-8", include_broad=True)] == ["firewall.17.0.0.0-8"]


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_include_broad_must_be_a_boolean(catalog, value):
    with pytest.raises(CatalogError, match="include_broad"):
        select(catalog, include_broad=value)


def test_include_removed_and_unverified(catalog):
    removed = select(catalog, host="ns.itunes.apple.com", include_removed=True)
    assert [e["status"] for e in removed] == ["removed"]
    assert select(catalog, host="ns.itunes.apple.com") == []
    assert [e["id"] for e in select(catalog, section="software", include_unverified=True)] == ["software.gg.apple.com"]


def test_platform_keeps_non_device_entries(catalog):
    ids = {e["id"] for e in select(catalog, platform="tvos")}
    assert "devicemanagement.push.apple.com-wildcard" in ids
    assert "businessschool.business.apple.com-wildcard" in ids  # no platforms: not device-specific
    assert "devicesetup.albert.apple.com" not in ids


def test_section_platform_selection(catalog):
    (push,) = select(catalog, section="devicemanagement", platform="macos")
    assert push["host"] == "*.push.apple.com"
    assert push["tcp"] == [443, 80, 5223, 2197]


def test_protocol_and_port(catalog):
    assert [e["host"] for e in select(catalog, protocol="udp", section="devicesetup")] == ["time.apple.com"]
    hosts = [e["host"] for e in select(catalog, port=5223)]
    assert hosts == ["*.push.apple.com", "2620:149:a44::/48"]
    hosts = [e["host"] for e in select(catalog, port=5223, include_broad=True)]
    assert hosts == ["*.push.apple.com", "17.0.0.0/8", "2620:149:a44::/48"]  # 17/8 by its full range
    assert [e["host"] for e in select(catalog, port=123, protocol="tcp", section="devicesetup")] == []


def test_proxy_tri_state(catalog):
    assert [e["host"] for e in select(catalog, proxy=True)] == ["albert.apple.com"]
    assert "time.apple.com" in [e["host"] for e in select(catalog, proxy="not_stated")]
    assert len(select(catalog, proxy="any")) == 5
    with pytest.raises(CatalogError, match="'maybe'"):
        select(catalog, proxy="maybe")


def test_kind(catalog):
    assert {e["kind"] for e in select(catalog, kind=["cidr"])} == {"cidr"}


@pytest.mark.parametrize("kwargs, bad", [
    ({"section": "devicesetupp"}, "'devicesetupp'"),
    ({"platform": "android"}, "'android'"),
    ({"protocol": "icmp"}, "'icmp'"),
    ({"kind": "url"}, "'url'"),
    ({"service": "nope"}, "'nope'"),
    ({"ids": ["nope"]}, "'nope'"),
    ({"port": 70000}, "70000"),
])
def test_unknown_values_are_named_with_choices(catalog, kwargs, bad):
    with pytest.raises(CatalogError) as info:
        select(catalog, **kwargs)
    assert bad in str(info.value)
    if "section" in kwargs:
        assert "devicemanagement" in str(info.value)  # the valid choices are listed


def test_selection_returns_copies(catalog):
    first = select(catalog, section="devicesetup")
    first[0]["tcp"].append(1)
    first[0]["description"]["en"] = "changed"
    again = select(catalog, section="devicesetup")
    assert again[0]["tcp"] == [443]
    assert again[0]["description"]["en"] == "Device activation."


def test_summaries(catalog):
    assert summarize(select(catalog), "cidrs") == ["2620:149:a44::/48"]
    entries = select(catalog, include_broad=True)
    assert summarize(entries, "cidrs") == ["17.0.0.0/8", "2620:149:a44::/48"]
    assert "*.push.apple.com" in summarize(entries, "wildcards")
    ports = summarize(entries, "ports")
    assert ports["udp"] == ["1-65535", 123]  # sorted by where each port or range starts
    assert ports["tcp"][:4] == ["1-65535", 80, 443, 2197]
    with pytest.raises(CatalogError, match="'bogus'"):
        summarize(entries, "bogus")


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: raw["entries"][0].update(tcp=[433, 70000]), "70000"),
    (lambda raw: raw["entries"][0].update(section="nosuch"), "'nosuch'"),
    (lambda raw: raw["entries"][0].update(platforms=["android"]), "android"),
    (lambda raw: raw["entries"][0].update(host="bad host"), "'bad host'"),
    (lambda raw: raw["entries"][1].update(id="devicesetup.albert.apple.com"), "duplicate id"),
    (lambda raw: raw["entries"][0].update(sources=["unknown-source"]), "unknown-source"),
    (lambda raw: raw["entries"][0].update(extra_key=1), "extra_key"),
    (lambda raw: raw["entries"][2].update(probe="push.apple.com.example.net"), "not a name under"),
    (lambda raw: raw["entries"][3].update(removed=None), "needs the date"),
    (lambda raw: raw["entries"][0].update(status="renamed", removed="2025-04", renamed_to="nowhere"), "'nowhere'"),
    (lambda raw: raw["entries"][0].update(description={"fr": "x"}), "English"),
    (lambda raw: raw["entries"][0].update(tcp=[], udp=[]), "at least one"),
    (lambda raw: raw["entries"][0].update(scope="wide"), "'wide' is not one of host, domain, shortcut, platform"),
    (lambda raw: raw["entries"][2].update(scope="host"), "'host' does not fit a wildcard"),
    (lambda raw: raw["entries"][0].update(scope="domain"), "'domain' does not fit a fqdn"),
    (lambda raw: raw["entries"][0].update(port_basis="guessed"), "'guessed' is not one of listed, inferred"),
    (lambda raw: raw["entries"][0].pop("scope"), "missing keys scope"),
    (lambda raw: raw["entries"][4].pop("no_probe_reason"), "a wildcard needs a probe name"),
    (lambda raw: raw["entries"][2].update(no_probe_reason="x"), "only on an entry without a probe"),
])
def test_invalid_catalog_is_refused_with_the_value(mutate, message):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    with pytest.raises(CatalogError, match=message):
        build_catalog(raw)


def test_load_catalog_caches_and_reloads(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(RAW), encoding="utf-8")
    first = load_catalog(str(path))
    assert load_catalog(str(path)) is first
    raw = copy.deepcopy(RAW)
    raw["catalog_version"] = "2.0.0"
    path.write_text(yaml.safe_dump(raw) + "\n# changed size\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert load_catalog(str(path)).version == "2.0.0"


def test_load_catalog_errors_name_the_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(str(tmp_path / "missing.yml"))
    bad = tmp_path / "bad.yml"
    bad.write_text("entries: [", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(str(bad))


# ------------------------------------------------------------------------------------------------ change feed

def _feed_catalog():
    raw = copy.deepcopy(RAW)
    raw["entries"][0]["history"] = [{"date": "2025-07", "change": "changed", "detail": "now also port 80"}]
    old = dict(raw["entries"][0], id="devicesetup.old.apple.com", host="old.apple.com", status="renamed",
               removed="2025-04", renamed_to="devicesetup.new.apple.com", added="2023", history=[])
    new = dict(raw["entries"][0], id="devicesetup.new.apple.com", host="new.apple.com", added="2025-04", history=[])
    raw["entries"] += [old, new]
    return build_catalog(raw, "test")


def test_change_feed_newest_first_with_every_kind():
    catalog = _feed_catalog()
    feed = changes(select(catalog, include_removed=True, include_unverified=True), since="2025-01")
    assert [(e["date"], e["change"], e["host"]) for e in feed] == [
        ("2025-07", "changed", "albert.apple.com"),
        ("2025-04", "removed", "ns.itunes.apple.com"),
        ("2025-04", "renamed", "old.apple.com"),
    ]
    assert feed[2]["detail"] == "renamed to new.apple.com (devicesetup.new.apple.com)"
    assert set(feed[0]) == {"date", "change", "id", "host", "section", "detail"}
    # The successor of a rename is not reported again as an addition of the same month.
    assert "new.apple.com" not in {e["host"] for e in feed}


@pytest.mark.parametrize("since, expected", [("2025-05", "2025-05"), ("2025", "2025-00"), ("2025.4.0", "2025-05"),
                                             ("2025.12.3", "2026-01"), (None, "")])
def test_since_is_a_month_or_a_catalog_version(since, expected):
    assert since_month(since) == expected


@pytest.mark.parametrize("since", ["2025-5", "last week", "2025.13.0"])
def test_since_refuses_other_values(since):
    with pytest.raises(CatalogError, match="neither a date"):
        since_month(since)


def test_since_a_version_leaves_out_that_versions_month():
    feed = changes(select(_feed_catalog(), include_removed=True), since="2025.4.2")
    assert [e["date"] for e in feed] == ["2025-07"]


def test_history_is_checked():
    raw = copy.deepcopy(RAW)
    raw["entries"][0]["history"] = [{"date": "July", "change": "added", "detail": ""}]
    with pytest.raises(CatalogError) as failure:
        build_catalog(raw, "test")
    assert "history[0].date: 'July'" in str(failure.value)
    assert "history[0].change: 'added' must be 'changed'" in str(failure.value)

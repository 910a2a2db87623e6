# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the firewalld renderer; the files are also checked by firewalld's own parser when it is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import build_allowlist
from ansible_collections.netallow.apple.plugins.plugin_utils.render.firewalld import (
    OUTPUTS,
    FirewalldRenderError,
    ipset_name,
    render,
)

OFFLINE_CMD = shutil.which("firewall-offline-cmd") or "/usr/bin/firewall-offline-cmd"
HAVE_FIREWALLD = os.access(OFFLINE_CMD, os.X_OK)

ENTRIES = [
    {"id": "dm.push-wildcard", "section": "dm", "host": "*.push.apple.com", "tcp": [443, 5223], "udp": []},
    {"id": "dm.courier", "section": "dm", "host": "1-courier.push.apple.com", "tcp": [443], "udp": []},
    {"id": "ds.time", "section": "ds", "host": "time.apple.com", "tcp": [], "udp": [123]},
    {"id": "fw.v4", "section": "fw", "host": "17.0.0.0/8", "tcp": [443, 5223], "udp": ["16384-16387"]},
    {"id": "fw.v6", "section": "fw", "host": "2620:149::/32", "tcp": [443, 5223], "udp": []},
    {"id": "x.long", "section": "x", "host": "198.51.100.0/24", "tcp": [80, 443, 2197, 5223, 8443], "udp": []},
]


@pytest.fixture(scope="module")
def model():
    return build_allowlist(ENTRIES)


def files(model, **options):
    return json.loads(render(model, **options))


def test_declared_outputs_render(model):
    for path, options in OUTPUTS.items():
        assert path.startswith("firewalld/")
        assert render(model, **options).strip()


def test_ipsets_per_group_and_family(model):
    result = files(model)
    v4 = ET.fromstring(result[f"ipsets/{ipset_name('tcp_443_5223', 'net4')}.xml"])
    assert v4.get("type") == "hash:net"
    assert [entry.text for entry in v4.findall("entry")] == ["17.0.0.0/8"]
    assert v4.find("option[@name='family']").get("value") == "inet"
    v6 = ET.fromstring(result[f"ipsets/{ipset_name('tcp_443_5223', 'net6')}.xml"])
    assert v6.find("option[@name='family']").get("value") == "inet6"
    names = ET.fromstring(result[f"ipsets/{ipset_name('tcp_443_5223', 'dns4')}.xml"])
    assert names.get("type") == "hash:ip"
    assert names.find("option[@name='timeout']").get("value") == "3600"
    assert names.findall("entry") == []


def test_policy_has_one_rich_rule_per_port_and_set(model):
    policy = ET.fromstring(files(model, resolvers=["192.0.2.53"])["policies/netallow_apple.xml"])
    assert policy.get("target") == "DROP" and policy.get("priority") == "-100"
    assert [zone.get("name") for zone in policy.findall("ingress-zone")] == ["HOST"]
    assert [zone.get("name") for zone in policy.findall("egress-zone")] == ["ANY"]
    rules = [(rule.get("family"), rule.find("destination").get("ipset") or rule.find("destination").get("address"),
              rule.find("port").get("port"), rule.find("port").get("protocol")) for rule in policy.findall("rule")]
    assert ("ipv4", "192.0.2.53", "53", "udp") in rules and ("ipv4", "192.0.2.53", "53", "tcp") in rules
    assert ("ipv4", ipset_name("tcp_443_5223", "net4"), "5223", "tcp") in rules
    assert ("ipv4", ipset_name("udp_16384_16387", "net4"), "16384-16387", "udp") in rules
    assert ("ipv6", ipset_name("tcp_443_5223", "net6"), "443", "tcp") in rules
    assert all(rule.find("accept") is not None for rule in policy.findall("rule"))


def test_targets_by_mode(model):
    def target(**options):
        return ET.fromstring(files(model, **options)["policies/netallow_apple.xml"]).get("target")

    assert target() == "DROP"
    assert target(drop_other=False) == "CONTINUE"
    assert target(mode="allow") == "CONTINUE"


def test_long_group_names_fit_ipsets_limit(model):
    names = json.loads(render(model, artifact="names"))
    assert all(len(name) <= 31 for name in names["ipsets"])
    assert ipset_name("tcp_80_443_2197_5223_8443", "net4") in names["ipsets"]
    assert ipset_name("tcp_443", "net4") == "netallow_apple_tcp_443_net4"
    assert ipset_name("tcp_80_443_2197_5223_8443", "net4") != ipset_name("tcp_80_443_2197_5223_8444", "net4")


def test_family_ip_keeps_ipv4(model):
    assert not any(path.endswith("6.xml") for path in files(model, family="ip"))


def test_dnsmasq_lines_per_backend(model):
    text = render(model, artifact="dnsmasq")
    assert text.splitlines()[1].startswith("# netallow.apple stamp: catalog_version=")  # read back by `deployed`
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    courier = next(line for line in lines if "/1-courier.push.apple.com/" in line)
    assert "4#inet#firewalld#netallow_apple_tcp_443_dns4" in courier
    assert f"4#inet#firewalld#{ipset_name('tcp_443_5223', 'dns4')}" in courier
    legacy = [line for line in render(model, artifact="dnsmasq", backend="iptables").splitlines()
              if not line.startswith("#")]
    assert all(line.startswith("ipset=/") for line in legacy)


@pytest.mark.parametrize(("options", "message"), [
    ({"mode": "block"}, "option mode 'block': not a valid choice; valid choices: enforce, allow"),
    ({"policy": "bad name"}, "option policy 'bad name': not a valid firewalld policy name"),
    ({"priority": 0}, "option priority 0: use a non-zero integer"),
    ({"ingress_zones": ["HOST", "internal"]}, "HOST and ANY cannot be combined"),
    ({"egress_zones": ['x"/><rule']}, "is not a zone name"),
    ({"resolvers": ["dns.example"]}, "resolvers entry 'dns.example'"),
    ({"dynamic_timeout": "1h"}, "option dynamic_timeout '1h': not an integer"),
    ({"colour": "red"}, "option.s. colour: unknown; valid options: mode, policy"),
])
def test_bad_options_name_the_value(model, options, message):
    with pytest.raises(FirewalldRenderError, match=message.replace("(", r"\(").replace("[", r"\[")):
        render(model, **options)


@pytest.mark.skipif(not HAVE_FIREWALLD, reason="firewalld is not installed")
@pytest.mark.parametrize("options", [{}, {"mode": "allow", "family": "ip6"},
                                     {"resolvers": ["192.0.2.53", "2001:db8::1"]}])
def test_firewalld_accepts_the_configuration(model, options, tmp_path):
    for path, text in files(model, **options).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    result = subprocess.run([OFFLINE_CMD, "--system-config", str(tmp_path), "--check-config"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    info = subprocess.run([OFFLINE_CMD, "--system-config", str(tmp_path), "--info-policy", "netallow_apple"],
                          capture_output=True, text=True, check=True).stdout
    assert "rich rules:" in info and "accept" in info

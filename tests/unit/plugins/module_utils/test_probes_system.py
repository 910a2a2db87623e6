# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Probes against real system components: a squid CONNECT proxy that allows one domain and denies another, and
a network namespace with a real DNS server (dnsmasq) and a black-holed address.

Needs root (namespaces), /usr/sbin/squid and dnsmasq; skipped with the reason where they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.netallow.apple.plugins.module_utils import _vocabulary
from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober
from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import (
    TRUSTED_ORG,
    die_with_parent,
)

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(_vocabulary.__file__), *[".."] * 5))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ------------------------------------------------------------------------------------------------ squid


def proxy_prober(servers, proxy_url, **kwargs):
    return Prober(timeout=3, proxy=proxy_url, resolve={}, use_proxy_env=False, ca_path=servers.trusted_ca_file,
                  expected_issuers=[TRUSTED_ORG], **kwargs)


def test_squid_allows_connect_to_allowed_domain(servers, squid):
    result = proxy_prober(servers, squid.url).probe(
        {"host": "allowed.nareach.test", "port": servers.ports["tls_trusted"], "tls": True})
    assert result["status"] == "ok", result
    assert result["stage"] == "tls"
    assert result["proxy"] == squid.url
    assert "CONNECT through" in result["detail"]


def test_squid_denies_connect_to_other_domain(servers, squid):
    result = proxy_prober(servers, squid.url).probe(
        {"host": "denied.nareach.test", "port": servers.ports["tls_trusted"], "tls": True})
    assert result["status"] == "proxy_denied", result
    assert result["stage"] == "proxy"
    assert "403" in result["detail"]


def test_squid_reports_closed_origin_port_as_refused(servers, squid):
    result = proxy_prober(servers, squid.url).probe({"host": "allowed.nareach.test", "port": servers.ports["closed"]})
    assert result["status"] == "refused", result
    assert result["stage"] == "proxy"
    assert "ERR_CONNECT_FAIL" in result["detail"]


def test_proxy_taken_from_environment(servers, squid):
    prober = Prober(timeout=3, resolve={}, ca_path=servers.trusted_ca_file, expected_issuers=[TRUSTED_ORG],
                    environ={"https_proxy": squid.url})
    denied = prober.probe({"host": "denied.nareach.test", "port": servers.ports["tls_trusted"], "tls": True})
    assert denied["status"] == "proxy_denied" and denied["proxy"] == squid.url
    bypass = Prober(timeout=1, resolve={"denied.nareach.test": "127.0.0.1"}, ca_path=servers.trusted_ca_file,
                    expected_issuers=[TRUSTED_ORG], environ={"https_proxy": squid.url, "no_proxy": "nareach.test"})
    direct = bypass.probe({"host": "denied.nareach.test", "port": servers.ports["tls_trusted"], "tls": True})
    assert direct["status"] == "ok" and direct["proxy"] is None


def test_proxy_that_refuses_connections(servers):
    closed_proxy = f"http://127.0.0.1:{servers.ports['closed']}"
    result = proxy_prober(servers, closed_proxy).probe({"host": "allowed.nareach.test", "port": 443})
    assert (result["status"], result["stage"]) == ("refused", "proxy"), result


# ------------------------------------------------------------------------------------------------ namespace

NS_SCRIPT = r"""
import json, socket, sys, time
from ansible_collections.netallow.apple.plugins.module_utils.probes.pool import run_probes
from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober
until = time.monotonic() + 5
while time.monotonic() < until:  # wait (bounded) for dnsmasq to answer
    try:
        socket.getaddrinfo("apple.nareach.test", None)
        break
    except OSError:
        time.sleep(0.05)
options, targets = json.loads(sys.argv[1])
started = time.monotonic()
results = run_probes(targets, Prober(**options), workers=64, deadline=10)
print(json.dumps({"elapsed": time.monotonic() - started, "results": results}))
"""


@pytest.fixture
def namespace():
    """Namespace nareach-ut-<pid>: the test's "remote" addresses on its loopback, one of them black-holed by an
    nftables drop rule (packets to it are silently discarded) and dnsmasq answering for *.nareach.test from the
    namespace's own resolv.conf."""
    if not IS_ROOT:
        pytest.skip("network namespaces need root")
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.access(dnsmasq, os.X_OK) or not shutil.which("ip") or not shutil.which("nft"):
        pytest.skip("dnsmasq, nftables and iproute2 are needed")
    name = f"nareach-ut-{os.getpid()}"
    etc = f"/etc/netns/{name}"
    process = None

    def ns(*command):
        subprocess.run(["ip", "netns", "exec", name, *command], check=True, capture_output=True, timeout=10)

    try:
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
        ns("ip", "link", "set", "lo", "up")
        for address in ("192.0.2.1/32", "192.0.2.99/32", "17.253.0.1/32"):
            ns("ip", "addr", "add", address, "dev", "lo")
        ns("ip", "-6", "addr", "add", "2620:149:a44::1/128", "dev", "lo", "nodad")
        # The black hole: packets to 192.0.2.99 are dropped on input, so a SYN is never answered.
        ns("nft", "add table inet nareach; add chain inet nareach input { type filter hook input priority 0; }; "
           "add rule inet nareach input ip daddr 192.0.2.99 drop")
        os.makedirs(etc, exist_ok=True)
        with open(f"{etc}/resolv.conf", "w", encoding="ascii") as handle:
            handle.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        process = subprocess.Popen(
            ["ip", "netns", "exec", name, dnsmasq, "--keep-in-foreground", "--no-resolv", "--no-hosts",
             "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53", "--user=root",
             f"--pid-file=/run/{name}-dnsmasq.pid", "--local=/nareach.test/",
             "--address=/apple.nareach.test/17.253.0.1", "--address=/apple.nareach.test/2620:149:a44::1",
             "--address=/cdn.nareach.test/192.0.2.1", "--address=/blackhole.nareach.test/192.0.2.99",
             "--address=/sinkhole.nareach.test/0.0.0.0", "--address=/loop.nareach.test/127.0.0.1",
             "--address=/multicast.nareach.test/224.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent,  # noqa: PLW1509
        )
        yield name
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=10, check=False)
        shutil.rmtree(etc, ignore_errors=True)
        if os.path.exists(f"/run/{name}-dnsmasq.pid"):
            os.unlink(f"/run/{name}-dnsmasq.pid")


def run_in_namespace(name, options, targets):
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT)
    env.pop("https_proxy", None)
    env.pop("HTTPS_PROXY", None)
    completed = subprocess.run(
        ["ip", "netns", "exec", name, sys.executable, "-c", NS_SCRIPT, json.dumps([options, targets])],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_real_dns_black_hole_and_nxdomain(namespace):
    targets = [
        {"host": "apple.nareach.test", "port": 443},
        {"host": "cdn.nareach.test", "port": 5223},
        {"host": "blackhole.nareach.test", "port": 443},
        {"host": "missing.nareach.test", "port": 443},
    ]
    out = run_in_namespace(namespace, {"timeout": 1.0, "use_proxy_env": False}, targets)
    apple, cdn, hole, missing = out["results"]
    # A and AAAA from a real DNS server; both inside Apple's networks; nothing listens there -> refused.
    assert sorted(apple["addresses"]) == ["17.253.0.1", "2620:149:a44::1"]
    assert apple["address_owner"] == "apple"
    assert apple["status"] == "refused", apple
    assert (cdn["addresses"], cdn["address_owner"], cdn["status"]) == (["192.0.2.1"], "cdn", "refused")
    # SYNs to the black-holed address vanish: a real, bounded connect timeout.
    assert (hole["status"], hole["stage"]) == ("timeout", "tcp"), hole
    # It waited for its own timeout rather than failing fast; how long beyond that is load, measured in benchmarks/.
    assert hole["elapsed_ms"] >= 900
    assert (missing["status"], missing["stage"]) == ("dns_failed", "dns"), missing


def test_sinkhole_loopback_and_multicast_answers_are_not_probed(namespace):
    targets = [{"host": f"{label}.nareach.test", "port": 443} for label in ("sinkhole", "loop", "multicast")]
    out = run_in_namespace(namespace, {"timeout": 1.0, "use_proxy_env": False, "ip_version": "4"}, targets)
    for result, address in zip(out["results"], ("0.0.0.0", "127.0.0.1", "224.0.0.1")):
        assert (result["status"], result["stage"]) == ("dns_failed", "dns"), result
        assert f"answered only {address}, not a routable unicast address" in result["detail"], result
        assert result["address"] is None


def test_black_holed_targets_each_time_out_in_their_own_connect(namespace):
    # 120 silently dropped targets, 64 workers and a 10 s deadline: one after the other they would need 120 s and the
    # deadline would cut most of them off. In parallel each one ends in its own TCP connect timeout. How long the run
    # takes is measured in benchmarks/bench_reachability.py, not asserted here.
    targets = [{"host": f"h{i}.nareach.test", "port": 443 + (i % 3)} for i in range(120)]
    options = {"timeout": 1.0, "use_proxy_env": False, "resolve": {t["host"]: "192.0.2.99" for t in targets}}
    out = run_in_namespace(namespace, options, targets)
    assert [r["host"] for r in out["results"]] == [t["host"] for t in targets]
    for result in out["results"]:
        assert (result["status"], result["stage"]) == ("timeout", "tcp"), result
        assert result["detail"].endswith("192.0.2.99: no answer within 1s"), result["detail"]
        assert "deadline" not in result["detail"], result

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Probes against real local servers (TLS with a trusted and an inspection CA, SNTP, QUIC, HTTP, SSH banner, a
closed port) plus the pure parts (DER reader, SNTP/QUIC packets, proxy parsing, classification)."""

from __future__ import annotations

import ssl
import struct
import time

import pytest
import trustme

from ansible_collections.netallow.apple.plugins.module_utils.probes import der as der_reader
from ansible_collections.netallow.apple.plugins.module_utils.probes import dns, proxy, quic, sntp, tls
from ansible_collections.netallow.apple.plugins.module_utils.probes.pool import run_probes
from ansible_collections.netallow.apple.plugins.module_utils.probes.prober import Prober, default_check
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import summarize
from ansible_collections.netallow.apple.tests.unit.plugins.module_utils.reachability_servers import (
    INSPECTION_ORG,
    TRUSTED_ORG,
)

NAME = "apple.nareach.test"


def prober(servers, **kwargs):
    options = dict(
        timeout=1.0,
        resolve={NAME: "127.0.0.1", "captive.apple.com": "127.0.0.1", "allowed.nareach.test": "127.0.0.1"},
        ca_path=servers.trusted_ca_file,
        expected_issuers=[TRUSTED_ORG],
        use_proxy_env=False,
    )
    options.update(kwargs)
    return Prober(**options)


def probe(servers, port_name, prober_obj=None, **target):
    target.setdefault("host", NAME)
    target["port"] = servers.ports[port_name]
    return (prober_obj or prober(servers)).probe(target)


# ------------------------------------------------------------------------------------------------ statuses


def test_tls_trusted_chain_from_expected_issuer_is_ok(servers):
    result = probe(servers, "tls_trusted", tls=True)
    assert result["status"] == "ok", result
    assert result["stage"] == "tls"
    assert f"O={TRUSTED_ORG}" in result["issuer"]
    assert result["addresses"] == ["127.0.0.1"]
    assert result["address"] == "127.0.0.1"


def test_untrusted_inspection_ca_is_intercepted_with_issuer(servers):
    result = probe(servers, "tls_inspection", tls=True)
    assert result["status"] == "intercepted", result
    assert result["stage"] == "tls"
    assert f"O={INSPECTION_ORG}" in result["issuer"]
    assert INSPECTION_ORG in result["detail"]


def test_trusted_but_unexpected_inspection_ca_is_intercepted(servers):
    # A corporate inspection CA installed in the trust store verifies, but is not a CA Apple uses.
    result = probe(servers, "tls_inspection", prober(servers, ca_path=servers.both_ca_file), tls=True)
    assert result["status"] == "intercepted", result
    assert f"O={INSPECTION_ORG}" in result["issuer"]
    assert "locally trusted" in result["detail"]


def test_expected_issuer_but_wrong_name_is_tls_failed(servers):
    result = probe(servers, "tls_wrong_name", tls=True)
    assert result["status"] == "tls_failed", result
    assert "mismatch" in result["detail"].lower()
    assert TRUSTED_ORG in result["issuer"]


def test_plain_text_on_tls_port_is_tls_failed(servers):
    result = probe(servers, "not_tls", tls=True)
    assert result["status"] == "tls_failed", result
    assert result["stage"] == "tls"


def test_closed_port_is_refused(servers):
    result = probe(servers, "closed")
    assert result["status"] == "refused", result
    assert result["stage"] == "tcp"


def test_tcp_without_tls_stops_after_connect(servers):
    result = probe(servers, "plain", tls=False)
    assert (result["status"], result["stage"]) == ("ok", "tcp")


def test_sntp_responder_is_ok(servers):
    result = probe(servers, "sntp", protocol="udp", check="sntp")
    assert result["status"] == "ok", result
    assert result["stage"] == "udp"
    assert "stratum 2" in result["detail"]


def test_sntp_kiss_of_death_is_service_failed(servers):
    result = probe(servers, "sntp_kiss", protocol="udp", check="sntp")
    assert result["status"] == "service_failed", result
    assert "RATE" in result["detail"]


def test_silent_udp_is_timeout(servers):
    started = time.monotonic()
    result = probe(servers, "silent", prober(servers, timeout=0.3), protocol="udp", check="sntp")
    assert result["status"] == "timeout", result
    assert time.monotonic() - started < 2


def test_udp_port_unreachable_is_refused(servers):
    result = probe(servers, "udp_closed", protocol="udp", check="sntp")
    assert result["status"] == "refused", result


def test_quic_version_negotiation_is_ok(servers):
    result = probe(servers, "quic", protocol="udp", check="quic")
    assert result["status"] == "ok", result
    assert "0x00000001" in result["detail"]


def test_quic_probe_to_sntp_server_is_service_failed(servers):
    result = probe(servers, "sntp", protocol="udp", check="quic")
    # The SNTP responder answers with an SNTP packet, which is no Version Negotiation.
    assert result["status"] == "service_failed", result
    assert "no QUIC version negotiation" in result["detail"]


def test_captive_success_page_is_ok(servers):
    result = probe(servers, "captive_ok", host="captive.apple.com", check="captive")
    assert (result["status"], result["stage"]) == ("ok", "service"), result


def test_captive_portal_page_is_service_failed(servers):
    result = probe(servers, "captive_portal", host="captive.apple.com", check="captive")
    assert result["status"] == "service_failed", result
    assert result["stage"] == "service"


def test_ssh_banner(servers):
    assert probe(servers, "ssh", check="ssh")["status"] == "ok"
    assert probe(servers, "plain", check="ssh", tls=False)["status"] in ("service_failed", "timeout")


def test_unknown_name_is_dns_failed(servers):
    result = prober(servers, resolve={}).probe({"host": "nothing.nareach.invalid", "port": 443})
    assert result["status"] == "dns_failed", result
    assert result["stage"] == "dns"


def test_udp_port_without_probe_is_skipped(servers):
    result = prober(servers).probe({"host": NAME, "port": 3478, "protocol": "udp"})
    assert (result["status"], result["stage"]) == ("skipped", None)


def test_ip_version_filter_without_matching_address_is_dns_failed(servers):
    result = prober(servers, ip_version="6").probe({"host": NAME, "port": servers.ports["plain"]})
    assert result["status"] == "dns_failed"
    assert "no IPv6 address" in result["detail"]


def test_ipv6_loopback_connect(servers):
    result = prober(servers, resolve={NAME: "::1"}).probe({"host": NAME, "port": servers.ports["closed"]})
    # Nothing listens on ::1 at that port: the kernel refuses.
    assert result["status"] == "refused"
    assert result["addresses"] == ["::1"]


# ------------------------------------------------------------------------------------------------ run_probes


def test_run_probes_parallel_keeps_order_and_counts(servers):
    names = ["tls_trusted", "tls_inspection", "closed", "sntp"]
    targets = [{"host": NAME, "port": servers.ports[n], "tls": n.startswith("tls")} for n in names]
    targets[3].update(protocol="udp", check="sntp")
    results = run_probes(targets, prober(servers), workers=4, deadline=10)
    assert [r["status"] for r in results] == ["ok", "intercepted", "refused", "ok"]
    summary = summarize(results, elapsed_ms=5)
    assert summary["total"] == 4 and summary["ok"] == 2 and summary["failed"] == 2
    assert summary["by_status"] == {"ok": 2, "intercepted": 1, "refused": 1}
    assert summary["required_failed"] == 2


def test_deadline_bounds_the_run(servers):
    silent = {"host": NAME, "port": servers.ports["silent"], "protocol": "udp", "check": "sntp"}
    targets = [dict(silent, id=f"t{i}") for i in range(6)]
    started = time.monotonic()
    # 6 targets x 1 s on 2 workers would take 3 s; the deadline stops the run after 1.2 s.
    results = run_probes(targets, prober(servers, timeout=1.0), workers=2, deadline=1.2)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert all(r["status"] == "timeout" for r in results)
    assert sum("deadline" in r["detail"] for r in results) >= 3
    assert [r["id"] for r in results] == [f"t{i}" for i in range(6)]


def test_many_workers_take_one_timeout_not_n(servers):
    silent = {"host": NAME, "port": servers.ports["silent"], "protocol": "udp", "check": "sntp"}
    started = time.monotonic()
    results = run_probes([silent] * 40, prober(servers, timeout=0.5), workers=64, deadline=10)
    assert all(r["status"] == "timeout" for r in results)
    assert time.monotonic() - started < 1.5


def test_run_probes_empty():
    assert run_probes([], Prober(use_proxy_env=False)) == []


# ------------------------------------------------------------------------------------------------ pure parts


def test_der_reader_reads_issuer_and_subject():
    ca = trustme.CA(organization_name="Example Inspection Ltd")
    leaf = ca.issue_cert("leaf.nareach.test")
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    issuer, subject = der_reader.cert_issuer_and_subject(der)
    assert issuer["O"] == "Example Inspection Ltd"
    assert issuer["OU"].startswith("Testing CA")
    assert "O" in subject
    ca_der = ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode())
    assert der_reader.cert_issuer_and_subject(ca_der)[0] == der_reader.cert_issuer_and_subject(ca_der)[1]


@pytest.mark.parametrize("garbage", [b"", b"\x30", b"\x30\x85\x00\x00\x00\x00\x01", b"\x04\x02ab", b"\x30\x05\x30\x03"])
def test_der_reader_rejects_garbage(garbage):
    with pytest.raises(ValueError):
        der_reader.cert_issuer_and_subject(garbage)


def test_oid_decoding():
    assert der_reader._decode_oid(bytes([0x55, 0x04, 0x03])) == "2.5.4.3"
    assert der_reader._decode_oid(bytes([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D])) == "1.2.840.113549"


def test_issuer_matching_ignores_case_and_punctuation():
    expected = tls.DEFAULT_EXPECTED_ISSUERS
    assert tls.issuer_is_expected({"O": "Apple Inc.", "CN": "Apple Public Server RSA CA 12 - G1"}, expected)
    assert tls.issuer_is_expected({"O": "DigiCert, Inc.", "CN": "DigiCert Global G2 TLS RSA SHA256 2020 CA1"},
                                  expected)
    assert tls.issuer_is_expected({"CN": "GeoTrust RSA CA 2018"}, expected)
    assert not tls.issuer_is_expected({"O": "Zscaler Inc.", "CN": "Zscaler Intermediate Root CA"}, expected)
    assert not tls.issuer_is_expected({}, expected)
    assert not tls.issuer_is_expected({"O": "Apple Inc."}, [""])


def test_classify_addresses():
    assert dns.classify_addresses(["17.253.144.10", "2620:149:a44::1"]) == "apple"
    assert dns.classify_addresses(["23.32.5.10"]) == "cdn"
    assert dns.classify_addresses(["17.1.1.1", "23.32.5.10"]) == "mixed"
    assert dns.classify_addresses([]) is None


def test_sntp_packets_round_trip():
    request = sntp.build_sntp_request(1_700_000_000.25)
    assert len(request) == 48 and request[0] == 0x23
    reply = bytearray(48)
    reply[0], reply[1] = 0x24, 1
    reply[24:32] = request[40:48]
    reply[40:48] = struct.pack("!II", 1_700_000_000 + sntp.NTP_EPOCH_OFFSET, 0)
    assert sntp.parse_sntp_reply(bytes(reply), request)["stratum"] == 1
    for index, value, message in ((0, 0x23, "mode 3"), (1, 0, "kiss"), (1, 16, "unsynchronised"), (24, 9, "echo")):
        bad = bytearray(reply)
        bad[index] = value
        with pytest.raises(ValueError, match=message):
            sntp.parse_sntp_reply(bytes(bad), request)
    with pytest.raises(ValueError, match="at least 48"):
        sntp.parse_sntp_reply(b"\x24" * 20, request)


def test_quic_packets_round_trip():
    dcid, scid = b"D" * 8, b"S" * 8
    packet = quic.build_quic_probe(dcid, scid)
    assert len(packet) == 1200 and packet[0] & 0x80
    assert struct.unpack("!I", packet[1:5])[0] == quic.QUIC_FORCE_NEGOTIATION
    reply = b"\x80\x00\x00\x00\x00" + b"\x08" + scid + b"\x08" + dcid + struct.pack("!II", 1, 0x6B3343CF)
    assert quic.parse_quic_version_negotiation(reply, dcid, scid) == [1, 0x6B3343CF]
    other_dcid, other_scid = b"X" * 8, b"Y" * 8
    with pytest.raises(ValueError, match="echo"):
        quic.parse_quic_version_negotiation(reply, other_dcid, other_scid)
    with pytest.raises(ValueError, match="Version Negotiation"):
        quic.parse_quic_version_negotiation(b"\x80\x00\x00\x00\x01" + reply[5:], dcid, scid)
    with pytest.raises(ValueError):
        quic.parse_quic_version_negotiation(b"\x40abc", dcid, scid)


def test_parse_proxy():
    assert proxy.parse_proxy("proxy.example.net:8080")["url"] == "http://proxy.example.net:8080"
    parsed = proxy.parse_proxy("http://u%40x:p@10.0.0.1")
    assert parsed["port"] == 3128 and parsed["auth"] == "dUB4OnA="
    for bad in ("https://proxy:443", "socks5://proxy:1080", "http://proxy:99999", "http://:80"):
        with pytest.raises(ValueError, match="proxy"):
            proxy.parse_proxy(bad)


def test_proxy_from_environment_honours_no_proxy():
    env = {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "localhost,.corp.example"}
    assert proxy.proxy_from_environment("gs.apple.com", env) == "http://proxy:3128"
    assert proxy.proxy_from_environment("x.corp.example", env) is None
    assert proxy.proxy_from_environment("gs.apple.com", {"ALL_PROXY": "p:1"}) == "p:1"
    assert proxy.proxy_from_environment("gs.apple.com", {}) is None
    assert proxy.proxy_from_environment("gs.apple.com", dict(env, NO_PROXY="*", no_proxy="")) is None


def test_parse_http_head():
    head = b"HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n\r\n"
    code, reason, headers = proxy.parse_http_head(head)
    assert (code, reason, headers["x-squid-error"]) == (403, "Forbidden", "ERR_ACCESS_DENIED 0")
    with pytest.raises(ValueError, match="not an HTTP response"):
        proxy.parse_http_head(b"SSH-2.0-x\r\n\r\n")


def test_default_checks_by_port():
    assert default_check("time.apple.com", 123, "udp") == "sntp"
    assert default_check("gateway.icloud.com", 443, "udp") == "quic"
    assert default_check("captive.apple.com", 80, "tcp") == "captive"
    assert default_check("x", 22, "tcp") == "ssh"
    assert default_check("x", 5223, "tcp") == "connect"


def test_run_bounded():
    assert dns.run_bounded(lambda: 42, 1) == 42
    with pytest.raises(ZeroDivisionError):
        dns.run_bounded(lambda: 1 / 0, 1)
    with pytest.raises(OSError):  # socket.timeout is an OSError
        dns.run_bounded(lambda: time.sleep(2), 0.1)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One target through its stages: dns, then proxy or tcp (or udp), tls, service; the first that fails ends it."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import ssl
import threading
import time

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import UDP_CHECKS, is_ip_literal
from ansible_collections.netallow.apple.plugins.module_utils.probes.der import cert_issuer_and_subject
from ansible_collections.netallow.apple.plugins.module_utils.probes.dns import (
    classify_addresses,
    resolve,
    routable_unicast,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.proxy import (
    MAX_READ,
    parse_proxy,
    proxy_connect,
    proxy_from_environment,
    recv_until,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.quic import (
    build_quic_probe,
    parse_quic_version_negotiation,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import (
    ProbeFailure,
    most_telling_failure,
    new_result,
)
from ansible_collections.netallow.apple.plugins.module_utils.probes.sntp import build_sntp_request, parse_sntp_reply
from ansible_collections.netallow.apple.plugins.module_utils.probes.tls import (
    DEFAULT_EXPECTED_ISSUERS,
    DEFAULT_TLS_PORTS,
    format_dn,
    issuer_is_expected,
    name_from_peercert,
    ssl_reason,
)

CAPTIVE_HOST = "captive.apple.com"
CAPTIVE_SUCCESS = b"<title>success</title>"


def default_check(name: str, port: int, protocol: str) -> str:
    """The service check that fits a well-known port: SNTP on udp/123, QUIC on udp/443, the captive page on
    captive.apple.com:80, an SSH banner on tcp/22."""
    if protocol == "udp":
        return {123: "sntp", 443: "quic"}.get(port, "none")
    if port == 80 and name.lower() == CAPTIVE_HOST:
        return "captive"
    if port == 22:
        return "ssh"
    return "connect"


def socket_failure(address: str, exc: OSError, timeout: float, refused: str = "connection refused",
                   silent: str = "no answer") -> tuple:
    """(status, text) for one address that failed to connect or to answer."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused", f"{address}: {refused}"
    if isinstance(exc, socket.timeout):
        return "timeout", f"{address}: {silent} within {timeout:g}s"
    return "unreachable", f"{address}: {exc.strerror or exc}"


class Prober:
    """Runs the stages for one target. Options are shared by all targets of a run."""

    def __init__(
        self,
        timeout: float = 3.0,
        proxy: str | None = None,
        use_proxy_env: bool = True,
        ip_version: str = "any",
        resolve: dict | None = None,
        ca_path: str | None = None,
        expected_issuers=DEFAULT_EXPECTED_ISSUERS,
        tls_ports=DEFAULT_TLS_PORTS,
        environ=None,
    ):
        self.timeout = float(timeout)
        self.proxy = parse_proxy(proxy) if proxy else None
        self.use_proxy_env = use_proxy_env
        self.ip_version = str(ip_version)
        self.resolve = {str(k).lower(): v for k, v in (resolve or {}).items()}
        self.expected_issuers = tuple(expected_issuers)
        self.tls_ports = frozenset(int(p) for p in tls_ports)
        self.environ = environ
        # Loading the host's trust store takes a noticeable part of the module's start-up, and a run whose targets
        # never reach the TLS stage (UDP, black-holed, refused) does not need it: it is loaded on first use. A given
        # ca_path is loaded now, so that a bad one fails the run at once with its own message.
        self._ca_path = ca_path
        self._verify_context = None
        self._context_lock = threading.Lock()
        if ca_path:
            self._load_verify_context()
        # Only used after a verified handshake failed, to read who issued the certificate that was presented.
        self.peek_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.peek_context.check_hostname = False
        self.peek_context.verify_mode = ssl.CERT_NONE

    @property
    def verify_context(self) -> ssl.SSLContext:
        return self._load_verify_context()

    def _load_verify_context(self) -> ssl.SSLContext:
        with self._context_lock:
            if self._verify_context is None:
                context = ssl.create_default_context()
                if self._ca_path:
                    if os.path.isdir(self._ca_path):
                        context.load_verify_locations(capath=self._ca_path)
                    else:
                        context.load_verify_locations(cafile=self._ca_path)
                self._verify_context = context
            return self._verify_context

    # ------------------------------------------------------------------ stages

    def _proxy_for(self, host: str):
        if self.proxy:
            return self.proxy
        if self.use_proxy_env:
            value = proxy_from_environment(host, self.environ)
            if value:
                return parse_proxy(value)
        return None

    def stage_dns(self, name: str) -> list:
        override = self.resolve.get(name.lower())
        if override is not None:
            values = override if isinstance(override, (list, tuple)) else [override]
            addresses = [str(ipaddress.ip_address(str(v).strip())) for v in values]
        else:
            try:
                addresses, errors = resolve(name, self.ip_version, self.timeout)
            except socket.timeout as exc:
                raise ProbeFailure("dns_failed", f"{name}: resolver gave no answer within {self.timeout:g}s") from exc
            # A filtering or hostile resolver answers 0.0.0.0, a loopback or a multicast address: probing it would
            # test this host, not the service. Such answers are left out and named when nothing else is left.
            ignored = [addr for addr in addresses if not routable_unicast(addr)]
            addresses = [addr for addr in addresses if addr not in ignored]
            if not addresses and ignored:
                raise ProbeFailure("dns_failed", f"{name}: the resolver answered only {', '.join(ignored)}, not a "
                                   "routable unicast address (a DNS sinkhole or a hostile resolver); not probed")
            if not addresses:
                raise ProbeFailure("dns_failed", f"{name}: {'; '.join(dict.fromkeys(errors)) or 'no address'}")
        wanted = {"4": 4, "6": 6}.get(self.ip_version)
        usable = [a for a in addresses if wanted is None or ipaddress.ip_address(a).version == wanted]
        if not usable:
            raise ProbeFailure("dns_failed", f"{name}: no IPv{self.ip_version} address among {', '.join(addresses)}")
        return usable

    def _connect_direct(self, addresses, port: int):
        """Connect to the first address that accepts; report the most telling failure otherwise."""
        failures = []
        deadline = time.monotonic() + self.timeout
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failures.append(("timeout", f"{address}: no time left"))
                break
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(remaining)
            try:
                sock.connect((address, port))
                sock.settimeout(self.timeout)
                return sock, address
            except OSError as exc:
                failures.append(socket_failure(address, exc, self.timeout))
            sock.close()
        raise most_telling_failure(failures)

    def open_stream(self, name: str, addresses, port: int, proxy):
        """A connected TCP stream to the target, direct or through the proxy's CONNECT tunnel."""
        if proxy:
            return proxy_connect(proxy, name, port, self.timeout), None
        return self._connect_direct(addresses, port)

    def stage_tls(self, name: str, addresses, port: int, proxy, sock):
        server_hostname = None if is_ip_literal(name) else name
        try:
            tls = self.verify_context.wrap_socket(sock, server_hostname=server_hostname)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            return self._classify_unverified(name, addresses, port, proxy, exc)
        except socket.timeout as exc:
            sock.close()
            raise ProbeFailure("timeout", f"no TLS handshake within {self.timeout:g}s") from exc
        except ConnectionResetError as exc:
            sock.close()
            raise ProbeFailure("tls_failed", "connection reset during the TLS handshake (SNI filtering?)") from exc
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            raise ProbeFailure("tls_failed", f"TLS handshake failed: {ssl_reason(exc)}") from exc
        cert = tls.getpeercert() or {}
        issuer = name_from_peercert(cert.get("issuer"))
        info = {"issuer": format_dn(issuer), "tls_version": tls.version()}
        if not issuer_is_expected(issuer, self.expected_issuers):
            tls.close()
            raise ProbeFailure(
                "intercepted",
                f"certificate verified by a locally trusted CA that is not one Apple uses: {format_dn(issuer)}",
                **info,
            )
        return tls, info

    def _classify_unverified(self, name, addresses, port, proxy, error):
        """The verified handshake failed: fetch the presented certificate unverified and read its issuer."""
        reason = error.verify_message or ssl_reason(error)
        try:
            sock = self.open_stream(name, addresses, port, proxy)[0]
            with self.peek_context.wrap_socket(sock, server_hostname=None if is_ip_literal(name) else name) as peek:
                der = peek.getpeercert(binary_form=True)
            issuer, _subject = cert_issuer_and_subject(der)
        except (ProbeFailure, OSError, ValueError) as exc:
            raise ProbeFailure("tls_failed", f"certificate not trusted ({reason}); issuer unreadable: {exc}") from exc
        issuer_text = format_dn(issuer)
        if issuer_is_expected(issuer, self.expected_issuers):
            raise ProbeFailure("tls_failed", f"certificate not trusted: {reason}", issuer=issuer_text)
        raise ProbeFailure(
            "intercepted",
            f"certificate issued by {issuer_text}, not by a CA Apple uses ({reason})",
            issuer=issuer_text,
        )

    def stage_service(self, name: str, stream, check: str) -> str | None:
        if check == "captive":
            try:
                stream.sendall(
                    f"GET /hotspot-detect.html HTTP/1.0\r\nHost: {name}\r\nUser-Agent: CaptiveNetworkSupport\r\n"
                    "Connection: close\r\n\r\n".encode("ascii")
                )
                body = recv_until(stream, b"</html>")
            except socket.timeout as exc:
                raise ProbeFailure("timeout", f"no HTTP answer within {self.timeout:g}s") from exc
            except OSError as exc:
                raise ProbeFailure("service_failed", f"HTTP exchange failed: {exc}") from exc
            if CAPTIVE_SUCCESS in body.lower():
                return "captive portal check returned the Success page"
            first = body.split(b"\r\n", 1)[0].decode("iso-8859-1")[:80]
            raise ProbeFailure("service_failed", f"captive check did not return the Success page (got {first!r})")
        if check == "ssh":
            try:
                banner = recv_until(stream, b"\n", 1024)
            except socket.timeout as exc:
                raise ProbeFailure("timeout", f"no SSH banner within {self.timeout:g}s") from exc
            except OSError as exc:
                raise ProbeFailure("service_failed", f"reading the SSH banner failed: {exc}") from exc
            if banner.startswith(b"SSH-"):
                return banner.strip().decode("ascii", "replace")
            raise ProbeFailure("service_failed", f"no SSH banner (got {banner[:40]!r})")
        return None

    def _udp_exchange(self, addresses, port: int, payload: bytes):
        """Send one datagram to each address in turn; return (reply, address) of the first answer."""
        failures = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.settimeout(self.timeout)
                try:
                    # connect() lets an ICMP port-unreachable surface as ECONNREFUSED.
                    sock.connect((address, port))
                    sock.send(payload)
                    return sock.recv(MAX_READ), address
                except OSError as exc:
                    failures.append(socket_failure(address, exc, self.timeout, "port unreachable", "no reply"))
        raise most_telling_failure(failures)

    def stage_udp(self, addresses, port: int, check: str):
        if check == "sntp":
            request = build_sntp_request()
            reply, address = self._udp_exchange(addresses, port, request)
            try:
                info = parse_sntp_reply(reply, request)
            except ValueError as exc:
                raise ProbeFailure("service_failed", f"invalid SNTP reply from {address}: {exc}") from exc
            return address, f"SNTP reply from {address}, stratum {info['stratum']}"
        if check == "quic":
            dcid, scid = os.urandom(8), os.urandom(8)
            reply, address = self._udp_exchange(addresses, port, build_quic_probe(dcid, scid))
            try:
                versions = parse_quic_version_negotiation(reply, dcid, scid)
            except ValueError as exc:
                raise ProbeFailure("service_failed", f"no QUIC version negotiation from {address}: {exc}") from exc
            listed = ", ".join(f"0x{v:08x}" for v in versions[:6])
            return address, f"QUIC version negotiation from {address}: {listed}"
        return None

    # ------------------------------------------------------------------ one target

    def probe(self, target: dict, progress: dict | None = None) -> dict:
        progress = progress if progress is not None else {}
        host = target["host"]
        name = target.get("probe") or host
        port = int(target["port"])
        protocol = target.get("protocol", "tcp")
        result = new_result(target, name, port, protocol)
        if target.get("entry_ids"):
            result["entry_ids"] = list(target["entry_ids"])
        started = time.monotonic()
        stream = None
        details = []
        check = default_check(name, port, protocol) if target.get("check", "auto") == "auto" else target["check"]
        try:
            if protocol == "udp" and check not in UDP_CHECKS:
                raise ProbeFailure("skipped", f"no UDP probe for port {port} (only SNTP on 123 and QUIC on 443)")
            proxy = self._proxy_for(name) if protocol == "tcp" else None
            if proxy:
                result["proxy"] = proxy["url"]

            progress["stage"] = result["stage"] = "dns"
            try:
                addresses = self.stage_dns(name)
                result["addresses"] = addresses
                result["address_owner"] = classify_addresses(addresses)
                details.append(f"{name} -> {', '.join(addresses)}")
            except ProbeFailure as exc:
                if not proxy:
                    raise
                # Behind a proxy the proxy resolves; local resolution failing is normal there.
                addresses = []
                details.append(f"not resolved locally ({exc.detail}); the proxy resolves")

            if protocol == "udp":
                progress["stage"] = result["stage"] = "udp"
                result["address"], text = self.stage_udp(addresses, port, check)
                details.append(text)
                return result

            if proxy:
                progress["stage"] = result["stage"] = "proxy"
                stream = self.open_stream(name, addresses, port, proxy)[0]
                details.append(f"CONNECT through {proxy['url']} accepted")
            else:
                progress["stage"] = result["stage"] = "tcp"
                stream, result["address"] = self.open_stream(name, addresses, port, None)
                details.append(f"TCP connected to {result['address']}")

            use_tls = target.get("tls")
            if use_tls is None:
                use_tls = port in self.tls_ports
            if use_tls:
                progress["stage"] = result["stage"] = "tls"
                stream, info = self.stage_tls(name, addresses, port, proxy, stream)
                result["issuer"] = info["issuer"]
                details.append(f"{info['tls_version']} verified, issuer {info['issuer']}")

            if check in ("captive", "ssh"):
                progress["stage"] = result["stage"] = "service"
                details.append(self.stage_service(name, stream, check))
        except ProbeFailure as exc:
            result["status"] = exc.status
            for key, value in exc.extra.items():
                if key in result:
                    result[key] = value
            details.append(exc.detail)
            if exc.status == "skipped":
                result["stage"] = None
        except Exception as exc:  # noqa: BLE001 - one target's surprise must not sink the whole run
            result["status"] = "tls_failed" if result["stage"] == "tls" else "service_failed"
            details.append(f"unexpected {type(exc).__name__}: {exc}")
        finally:
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
            result["elapsed_ms"] = int((time.monotonic() - started) * 1000)
            result["detail"] = "; ".join(details)
        return result

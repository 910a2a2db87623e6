# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reachability probes that run on the managed host.

Python 3.9+, standard library only: this file travels inside the module payload, so nothing may need installing.
It knows nothing of the catalog; it receives concrete targets (host, port, protocol, probe name) and runs, per
target, the stages that apply (dns, proxy, tcp or udp, tls, service), stopping at the first that fails.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import os
import re
import socket
import ssl
import struct
import threading
import time
import urllib.parse

STATUSES = (
    "ok",
    "dns_failed",
    "timeout",
    "refused",
    "unreachable",
    "proxy_denied",
    "intercepted",
    "tls_failed",
    "service_failed",
    "skipped",
)
FAILED_STATUSES = frozenset(STATUSES) - {"ok", "skipped"}
STAGES = ("dns", "proxy", "tcp", "udp", "tls", "service")

# Apple's own address space (the catalog's firewall section): 17.0.0.0/8 and its IPv6 allocations.
# Anything else that a catalog name resolves to is a CDN edge (Akamai, ...).
APPLE_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("17.0.0.0/8", "2620:149::/32", "2403:300::/32", "2a01:b740::/32")
)

# Ports where Apple's services speak TLS from the first byte (HTTPS, APNs, APNs fallback, mail over TLS).
DEFAULT_TLS_PORTS = (443, 993, 995, 2197, 5223, 8443)

# Organisation (or common-name prefix) of the CAs that issue the certificates of Apple's hosts and of the CDNs
# that serve them. Apple's own names use "Apple Public Server RSA/ECC CA ... - G1" (O=Apple Inc.); hosts served
# from third-party CDNs present DigiCert-issued chains (DigiCert Global G2/G3, GeoTrust brands are DigiCert's).
DEFAULT_EXPECTED_ISSUERS = ("Apple Inc.", "DigiCert Inc", "GeoTrust", "Entrust, Inc.")

CAPTIVE_HOST = "captive.apple.com"
CAPTIVE_SUCCESS = b"<title>success</title>"
MAX_READ = 65536

# RFC 9000 section 15: versions of the form 0x?a?a?a?a are reserved to force version negotiation.
QUIC_FORCE_NEGOTIATION = 0x1A2A3A4A
QUIC_MIN_DATAGRAM = 1200
# Seconds between 1900-01-01 (NTP era 0) and 1970-01-01.
NTP_EPOCH_OFFSET = 2208988800


# What the last stage checks: "connect" stops after TCP (and TLS); the others speak the service's protocol.
CHECKS = ("auto", "connect", "sntp", "quic", "captive", "ssh")
UDP_CHECKS = ("sntp", "quic")


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


class ProbeFailure(Exception):
    """A stage failed: carries the status to report and a human-readable detail."""

    def __init__(self, status: str, detail: str, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


# --------------------------------------------------------------------------------------------- small helpers


def _norm_name(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def issuer_is_expected(issuer: dict, expected) -> bool:
    """True when the issuer's organisation or common name starts with one of the expected names.

    Comparison ignores case, spaces and punctuation, so "DigiCert Inc" matches "DigiCert, Inc.".
    """
    candidates = [_norm_name(issuer.get(key, "")) for key in ("O", "CN")]
    for name in expected:
        wanted = _norm_name(name)
        if wanted and any(candidate.startswith(wanted) for candidate in candidates if candidate):
            return True
    return False


def format_dn(dn: dict) -> str:
    order = ("CN", "OU", "O", "L", "ST", "C")
    parts = [f"{key}={dn[key]}" for key in order if key in dn]
    parts += [f"{key}={value}" for key, value in dn.items() if key not in order]
    return ", ".join(parts)


def classify_addresses(addresses) -> str | None:
    """'apple' when every address is in Apple's networks, 'cdn' when none is, 'mixed' otherwise."""
    if not addresses:
        return None
    inside = [any(ipaddress.ip_address(a) in net for net in APPLE_NETWORKS) for a in addresses]
    if all(inside):
        return "apple"
    if not any(inside):
        return "cdn"
    return "mixed"


def run_bounded(func, timeout: float):
    """Run a blocking call (getaddrinfo has no timeout of its own) in a daemon thread, bounded by timeout.

    Returns the call's result or re-raises its exception; raises socket.timeout when it does not finish in time
    (the thread is left to finish on its own; being a daemon it never delays the process exit).
    """
    box = {}

    def runner():
        try:
            box["value"] = func()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=runner, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise socket.timeout(f"no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


# --------------------------------------------------------------------------------------------- ASN.1 / X.509

# OIDs of the name attributes that reports show.
_DN_OIDS = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
}


def _der_read(data: bytes, offset: int):
    """Read one DER TLV at offset: returns (tag, content_start, content_end)."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER element")
    tag = data[offset]
    length = data[offset + 1]
    pos = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, pos, end


def _der_children(data: bytes, start: int, end: int):
    pos = start
    while pos < end:
        tag, cstart, cend = _der_read(data, pos)
        yield tag, cstart, cend
        pos = cend


def _decode_oid(raw: bytes) -> str:
    if not raw:
        raise ValueError("empty OID")
    first = raw[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _decode_string(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x1C:  # UniversalString
        return raw.decode("utf-32-be", "replace")
    return raw.decode("utf-8", "replace")


def parse_name(data: bytes, start: int, end: int) -> dict:
    """Decode an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue) into {'CN': ..., 'O': ...}."""
    name = {}
    for rdn_tag, rstart, rend in _der_children(data, start, end):
        if rdn_tag != 0x31:
            raise ValueError("Name: expected SET")
        for atv_tag, astart, aend in _der_children(data, rstart, rend):
            if atv_tag != 0x30:
                raise ValueError("Name: expected SEQUENCE")
            children = list(_der_children(data, astart, aend))
            if len(children) != 2 or children[0][0] != 0x06:
                raise ValueError("Name: malformed attribute")
            oid = _decode_oid(data[children[0][1]:children[0][2]])
            key = _DN_OIDS.get(oid, oid)
            vtag, vstart, vend = children[1]
            name.setdefault(key, _decode_string(vtag, data[vstart:vend]))
    return name


def cert_issuer_and_subject(der: bytes):
    """Return (issuer, subject) dicts of a DER X.509 certificate, with a minimal DER reader."""
    tag, start, end = _der_read(der, 0)
    if tag != 0x30:
        raise ValueError("certificate: expected SEQUENCE")
    tag, tbs_start, tbs_end = _der_read(der, start)
    if tag != 0x30:
        raise ValueError("tbsCertificate: expected SEQUENCE")
    fields = list(_der_children(der, tbs_start, tbs_end))
    if fields and fields[0][0] == 0xA0:  # [0] EXPLICIT version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject
    if len(fields) < 5 or fields[2][0] != 0x30 or fields[4][0] != 0x30:
        raise ValueError("tbsCertificate: unexpected structure")
    issuer = parse_name(der, fields[2][1], fields[2][2])
    subject = parse_name(der, fields[4][1], fields[4][2])
    return issuer, subject


def _name_from_peercert(rdns) -> dict:
    name = {}
    short = {
        "commonName": "CN",
        "organizationName": "O",
        "organizationalUnitName": "OU",
        "countryName": "C",
        "localityName": "L",
        "stateOrProvinceName": "ST",
    }
    for rdn in rdns or ():
        for key, value in rdn:
            name.setdefault(short.get(key, key), value)
    return name


# --------------------------------------------------------------------------------------------- SNTP / QUIC


def build_sntp_request(transmit: float | None = None) -> bytes:
    """48-byte SNTPv4 client request (RFC 4330); the transmit timestamp identifies our request in the reply."""
    now = time.time() if transmit is None else transmit
    seconds = int(now) + NTP_EPOCH_OFFSET
    fraction = int((now % 1) * (1 << 32)) | 1  # never all zero
    packet = bytearray(48)
    packet[0] = (0 << 6) | (4 << 3) | 3  # LI=0, VN=4, Mode=3 (client)
    packet[40:48] = struct.pack("!II", seconds & 0xFFFFFFFF, fraction & 0xFFFFFFFF)
    return bytes(packet)


def parse_sntp_reply(reply: bytes, request: bytes) -> dict:
    """Check a server reply against RFC 4330 section 5; raise ValueError naming what is wrong."""
    if len(reply) < 48:
        raise ValueError(f"reply of {len(reply)} bytes, expected at least 48")
    mode = reply[0] & 0x07
    version = (reply[0] >> 3) & 0x07
    stratum = reply[1]
    if mode != 4:
        raise ValueError(f"reply mode {mode}, expected 4 (server)")
    if not 1 <= version <= 4:
        raise ValueError(f"reply version {version} is not 1-4")
    if stratum == 0:
        kiss = reply[12:16].decode("ascii", "replace").strip("\x00")
        raise ValueError(f"kiss-o'-death from server ({kiss or 'no code'})")
    if stratum > 15:
        raise ValueError(f"stratum {stratum} means unsynchronised")
    if reply[24:32] != request[40:48]:
        raise ValueError("originate timestamp does not echo our request")
    if reply[40:48] == b"\x00" * 8:
        raise ValueError("transmit timestamp is zero")
    seconds, fraction = struct.unpack("!II", reply[40:48])
    server_time = seconds - NTP_EPOCH_OFFSET + fraction / (1 << 32)
    return {"stratum": stratum, "version": version, "server_time": server_time}


def build_quic_probe(dcid: bytes, scid: bytes) -> bytes:
    """A long-header packet with a reserved version, padded to 1200 bytes: a QUIC server must answer it with a
    Version Negotiation packet (RFC 9000 sections 6 and 14.1)."""
    header = bytes([0xC0]) + struct.pack("!I", QUIC_FORCE_NEGOTIATION)
    header += bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
    return header + b"\x00" * (QUIC_MIN_DATAGRAM - len(header))


def parse_quic_version_negotiation(reply: bytes, dcid: bytes, scid: bytes) -> list:
    """Return the versions a Version Negotiation packet offers; raise ValueError when it is not one for us."""
    if len(reply) < 7 or not reply[0] & 0x80:
        raise ValueError("not a QUIC long-header packet")
    version = struct.unpack("!I", reply[1:5])[0]
    if version != 0:
        raise ValueError(f"version field 0x{version:08x}, expected 0 (Version Negotiation)")
    pos = 5
    echoed_dcid_len = reply[pos]
    echoed_dcid = reply[pos + 1:pos + 1 + echoed_dcid_len]
    pos += 1 + echoed_dcid_len
    if pos >= len(reply):
        raise ValueError("truncated Version Negotiation packet")
    echoed_scid_len = reply[pos]
    echoed_scid = reply[pos + 1:pos + 1 + echoed_scid_len]
    pos += 1 + echoed_scid_len
    if echoed_dcid != scid or echoed_scid != dcid:
        raise ValueError("connection IDs do not echo our probe")
    rest = reply[pos:]
    if not rest or len(rest) % 4:
        raise ValueError("version list is empty or misaligned")
    return [struct.unpack("!I", rest[i:i + 4])[0] for i in range(0, len(rest), 4)]


# --------------------------------------------------------------------------------------------- proxy


def redact_proxy(value: str) -> str:
    """The proxy URL as it may be shown: credentials (anything before the last '@' of the authority) replaced."""
    text = str(value).strip()
    scheme, sep, rest = text.rpartition("://") if "://" in text else ("", "", text)
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    shown = f"{scheme}{sep}{authority}{slash}{path}"
    return "".join(char if char.isprintable() else "?" for char in shown)


def parse_proxy(value: str) -> dict:
    """Parse 'http://[user:pass@]host:port' (scheme optional) into its parts; raise ValueError when malformed.

    Error messages show the URL without its credentials (see :func:`redact_proxy`): they end up in results,
    reports and logs.
    """
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    shown = redact_proxy(value)
    if any(not char.isprintable() or char.isspace() for char in text):
        raise ValueError(f"proxy {shown!r}: contains a space or a control character")
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme != "http":
        raise ValueError(f"proxy {shown!r}: scheme {parsed.scheme!r} is not supported (only http://)")
    try:
        port = parsed.port or 3128
    except ValueError:
        raise ValueError(f"proxy {shown!r}: invalid port") from None
    if not parsed.hostname:
        raise ValueError(f"proxy {shown!r}: no host")
    auth = None
    if parsed.username is not None:
        creds = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        auth = base64.b64encode(creds.encode()).decode()
    return {"host": parsed.hostname, "port": port, "auth": auth, "url": f"http://{parsed.hostname}:{port}"}


def proxy_from_environment(host: str, environ=None) -> str | None:
    """The proxy the environment sets for HTTPS to host (https_proxy, then all_proxy), honouring no_proxy."""
    env = os.environ if environ is None else environ
    lower = {k.lower(): v for k, v in env.items() if v}
    value = lower.get("https_proxy") or lower.get("all_proxy")
    if not value:
        return None
    no_proxy = lower.get("no_proxy", "")
    for item in (p.strip().lower().lstrip(".") for p in no_proxy.split(",")):
        if not item:
            continue
        if item == "*" or host.lower() == item or host.lower().endswith("." + item):
            return None
    return value


def parse_http_head(raw: bytes) -> tuple:
    """(status code, reason, headers dict lower-cased) of an HTTP/1.x response head."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("iso-8859-1")
    lines = head.split("\r\n")
    match = re.match(r"HTTP/\d(?:\.\d)?\s+(\d{3})\s*(.*)", lines[0])
    if not match:
        raise ValueError(f"not an HTTP response: {lines[0][:60]!r}")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return int(match.group(1)), match.group(2), headers


def _recv_until(sock, marker: bytes, limit: int = MAX_READ) -> bytes:
    data = b""
    while marker not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


_CONNECT_HOST_RE = re.compile(r"[A-Za-z0-9._:-]{1,253}")


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else " " for char in str(text))


def proxy_connect(proxy: dict, host: str, port: int, timeout: float):
    """Open a tunnel through an HTTP proxy with CONNECT; returns the socket, raises ProbeFailure."""
    try:
        sock = socket.create_connection((proxy["host"], proxy["port"]), timeout=timeout)
    except ConnectionRefusedError as exc:
        raise ProbeFailure("refused", f"proxy {proxy['url']} refused the connection") from exc
    except socket.timeout as exc:
        raise ProbeFailure("timeout", f"proxy {proxy['url']} did not accept within {timeout:g}s") from exc
    except OSError as exc:
        raise ProbeFailure("unreachable", f"proxy {proxy['url']}: {exc.strerror or exc}") from exc
    if not _CONNECT_HOST_RE.fullmatch(host):
        sock.close()
        raise ProbeFailure("dns_failed", f"target host {host!r} is not a host name or address; nothing was sent")
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    request = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
    if proxy.get("auth"):
        request += f"Proxy-Authorization: Basic {proxy['auth']}\r\n"
    try:
        sock.sendall((request + "\r\n").encode("ascii"))
        raw = _recv_until(sock, b"\r\n\r\n")
        code, reason, headers = parse_http_head(raw)
    except socket.timeout as exc:
        sock.close()
        raise ProbeFailure("timeout", f"proxy {proxy['url']} did not answer CONNECT within {timeout:g}s") from exc
    except (OSError, ValueError) as exc:
        sock.close()
        raise ProbeFailure("proxy_denied", f"proxy {proxy['url']} broke off CONNECT: {exc}") from exc
    if 200 <= code < 300:
        return sock
    sock.close()
    # The reason phrase and headers are the proxy's text: only printable characters, bounded, reach the reports.
    reason = _printable(reason)[:80]
    squid_error = _printable(headers.get("x-squid-error", ""))[:80]
    detail = f"proxy answered {code} {reason}".strip() + (f" ({squid_error})" if squid_error else "")
    if squid_error.startswith("ERR_DNS_FAIL"):
        raise ProbeFailure("dns_failed", detail, proxy_status=code)
    if code == 504:
        raise ProbeFailure("timeout", detail, proxy_status=code)
    if code in (502, 503):
        raise ProbeFailure("refused", detail, proxy_status=code)
    raise ProbeFailure("proxy_denied", detail, proxy_status=code)


# --------------------------------------------------------------------------------------------- the probe


def new_result(target: dict, name: str, port: int, protocol: str, status: str = "ok", detail: str = "") -> dict:
    """A result with every key the module returns, before (or instead of) probing ``target``."""
    return {
        "host": target["host"],
        "probe": name,
        "port": port,
        "protocol": protocol,
        "id": target.get("id"),
        "required": bool(target.get("required", True)),
        "status": status,
        "stage": None,
        "addresses": [],
        "address_owner": None,
        "address": None,
        "proxy": None,
        "issuer": None,
        "elapsed_ms": 0,
        "detail": detail,
    }


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
        self.verify_context = ssl.create_default_context()
        if ca_path:
            if os.path.isdir(ca_path):
                self.verify_context.load_verify_locations(capath=ca_path)
            else:
                self.verify_context.load_verify_locations(cafile=ca_path)
        # Only used after a verified handshake failed, to read who issued the certificate that was presented.
        self.peek_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.peek_context.check_hostname = False
        self.peek_context.verify_mode = ssl.CERT_NONE

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
            families = {"4": [socket.AF_INET], "6": [socket.AF_INET6]}.get(
                self.ip_version, [socket.AF_INET, socket.AF_INET6]
            )
            addresses, errors = [], []
            for family in families:
                try:
                    infos = run_bounded(
                        lambda fam=family: socket.getaddrinfo(name, None, fam, socket.SOCK_STREAM), self.timeout
                    )
                except socket.timeout as exc:
                    raise ProbeFailure(
                        "dns_failed", f"{name}: resolver gave no answer within {self.timeout:g}s"
                    ) from exc
                except socket.gaierror as exc:
                    errors.append(exc.strerror or str(exc))
                    continue
                for info in infos:
                    addr = info[4][0].split("%", 1)[0]
                    if addr not in addresses:
                        addresses.append(addr)
            # A filtering or hostile resolver answers 0.0.0.0, a loopback or a multicast address: probing it would
            # test this host, not the service. Such answers are left out and named when nothing else is left.
            ignored = [addr for addr in addresses if not _routable_unicast(addr)]
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
            except ConnectionRefusedError:
                failures.append(("refused", f"{address}: connection refused"))
            except socket.timeout:
                failures.append(("timeout", f"{address}: no answer within {self.timeout:g}s"))
            except OSError as exc:
                failures.append(("unreachable", f"{address}: {exc.strerror or exc}"))
            sock.close()
        for status in ("refused", "timeout", "unreachable"):
            if any(kind == status for kind, _text in failures):
                break
        raise ProbeFailure(status, "; ".join(text for _kind, text in failures))

    def open_stream(self, name: str, addresses, port: int, proxy):
        """A connected TCP stream to the target, direct or through the proxy's CONNECT tunnel."""
        if proxy:
            return proxy_connect(proxy, name, port, self.timeout), None
        return self._connect_direct(addresses, port)

    def stage_tls(self, name: str, addresses, port: int, proxy, sock):
        server_hostname = None if _is_address(name) else name
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
            raise ProbeFailure("tls_failed", f"TLS handshake failed: {_ssl_reason(exc)}") from exc
        cert = tls.getpeercert() or {}
        issuer = _name_from_peercert(cert.get("issuer"))
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
        reason = error.verify_message or _ssl_reason(error)
        try:
            sock = self.open_stream(name, addresses, port, proxy)[0]
            with self.peek_context.wrap_socket(sock, server_hostname=None if _is_address(name) else name) as peek:
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
                body = _recv_until(stream, b"</html>")
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
                banner = _recv_until(stream, b"\n", 1024)
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
                except ConnectionRefusedError:
                    failures.append(("refused", f"{address}: port unreachable"))
                except socket.timeout:
                    failures.append(("timeout", f"{address}: no reply within {self.timeout:g}s"))
                except OSError as exc:
                    failures.append(("unreachable", f"{address}: {exc.strerror or exc}"))
        for status in ("refused", "timeout", "unreachable"):
            if any(kind == status for kind, _text in failures):
                break
        raise ProbeFailure(status, "; ".join(text for _kind, text in failures))

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


def _routable_unicast(text: str) -> bool:
    address = ipaddress.ip_address(text)
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local
                or address.is_reserved)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _ssl_reason(exc) -> str:
    return getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)


# --------------------------------------------------------------------------------------------- a whole run


def summarize(results, elapsed_ms: int | None = None) -> dict:
    counts = {status: 0 for status in STATUSES}
    for item in results:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    summary = {
        "total": len(results),
        "ok": counts["ok"],
        "failed": sum(counts[s] for s in FAILED_STATUSES),
        "skipped": counts["skipped"],
        "required_failed": sum(1 for r in results if r["status"] in FAILED_STATUSES and r.get("required", True)),
        "by_status": {k: v for k, v in counts.items() if v},
    }
    if elapsed_ms is not None:
        summary["elapsed_ms"] = elapsed_ms
    return summary


def run_probes(targets, prober: Prober, workers: int = 64, deadline: float = 60.0) -> list:
    """Probe every target with a bounded pool of daemon threads.

    Targets still running when the deadline passes are reported as `timeout` with detail "deadline"; their
    threads are daemons, so they never hold up the module's exit.
    """
    targets = list(targets)
    results = [None] * len(targets)
    progress = [{"stage": None} for _target in targets]
    started = [None] * len(targets)
    lock = threading.Lock()
    next_index = [0]
    done = threading.Event()
    finished = [0]

    def worker():
        while True:
            with lock:
                index = next_index[0]
                if index >= len(targets):
                    return
                next_index[0] += 1
                started[index] = time.monotonic()
            outcome = prober.probe(targets[index], progress[index])
            with lock:
                results[index] = outcome
                finished[0] += 1
                if finished[0] == len(targets):
                    done.set()

    if not targets:
        return []
    run_start = time.monotonic()
    for _index in range(max(1, min(int(workers), len(targets)))):
        threading.Thread(target=worker, daemon=True).start()
    done.wait(max(0.0, float(deadline)))
    with lock:
        final = []
        for index, target in enumerate(targets):
            if results[index] is not None:
                final.append(results[index])
                continue
            stage = progress[index]["stage"]
            began = started[index]
            final.append(
                {
                    "host": target["host"],
                    "probe": target.get("probe") or target["host"],
                    "port": int(target["port"]),
                    "protocol": target.get("protocol", "tcp"),
                    "id": target.get("id"),
                    "required": bool(target.get("required", True)),
                    "status": "timeout",
                    "stage": stage,
                    "addresses": [],
                    "address_owner": None,
                    "address": None,
                    "proxy": None,
                    "issuer": None,
                    "elapsed_ms": int((time.monotonic() - (began or run_start)) * 1000),
                    "detail": f"deadline of {float(deadline):g}s reached "
                    + (f"during stage {stage}" if stage else "before the probe started"),
                }
            )
        # Stop idle workers from picking up more targets after the deadline.
        next_index[0] = len(targets)
    return final

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP proxies: the proxy option and environment, and the CONNECT tunnel a TCP probe goes through.

Proxy URLs may carry credentials: every text this file puts into a result or an error shows them redacted.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import urllib.parse

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import CONNECT_HOST_PATTERN
from ansible_collections.netallow.apple.plugins.module_utils.probes.result import ProbeFailure

MAX_READ = 65536


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


def recv_until(sock, marker: bytes, limit: int = MAX_READ) -> bytes:
    data = b""
    while marker not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


_CONNECT_HOST_RE = re.compile(CONNECT_HOST_PATTERN)


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
        raw = recv_until(sock, b"\r\n\r\n")
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

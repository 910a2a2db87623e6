# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render the allow-list model as a squid include file.

The include is meant to be pulled into an existing squid.conf *before* the site's first ``http_access`` (and
``ssl_bump``) line, so that its rules are evaluated first: Apple hosts are allowed without proxy authentication,
CONNECT to them is allowed only on the TLS ports the catalog names, and, when the site bumps TLS, they are spliced.
The include is self-contained: it defines every ACL it uses under its own prefix and refers to no site ACL.
"""

from __future__ import annotations

import re

from ansible_collections.netallow.apple.plugins.module_utils._stamp import stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import check_model, compress_ports, expand_ports
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import parse_bool, parse_cidr
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(squid): a squid include file (squid 4+). Wildcards become squid's leading-dot form (C(*.push.apple.com) ->
C(.push.apple.com)), which also matches the apex C(push.apple.com): squid cannot express "subdomains only"; names
covered by a listed dot-domain are dropped because squid refuses to load them. UDP-only groups are left out (squid
proxies TCP only); CIDRs become C(dst) ACLs (checked after the name ACLs, they cost a DNS lookup per request) and are
not spliced (ssl_bump decisions see names, not resolved addresses)."""

_ACL_PREFIX_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}\Z")
_SSL_BUMP_RE = re.compile(r"^[ \t]*ssl_bump[ \t]", re.MULTILINE)
OPTIONS = {
    "acl_prefix": {"type": "str", "default": "netallow_apple",
                   "description": "Prefix of every ACL the include defines: a lower-case letter then up to 40 of "
                                  "C([a-z0-9_])."},
    "clients": {"type": "list", "elements": "str", "default": [],
                "description": "Source CIDRs allowed to use the rules; empty means any source."},
    "plain_http_ports": {"type": "list", "elements": "int", "default": [80], "null": True,
                         "description": "Ports excluded from CONNECT (plain HTTP); null or empty for none."},
    "deny_other_connect_ports": {"type": "bool", "default": True,
                                 "description": "Deny CONNECT to an Apple name on a port the catalog does not list."},
    "ssl_bump": {"type": "raw", "default": "auto",
                 "description": "Splice TLS to Apple names: C(true), C(false) or C(auto) (when C(site_config) has "
                                "an C(ssl_bump) line)."},
    "site_config": {"type": "str",
                    "description": "The text of the site's squid.conf, read by C(ssl_bump=auto)."},
    "header": {"type": "bool", "default": True, "description": "Start with C(#) comment lines and the stamp."},
}


class SquidRenderError(RenderError):
    """An option given to the squid renderer is not valid."""

    format = "squid"


def _compress_ports(ports: set[int]) -> list[str]:
    """Turn a set of ints into squid ``port`` ACL values, adjacent ports as ``lo-hi``."""
    return [str(port) for port in compress_ports(ports)]


def squid_domains(fqdns, wildcards) -> list[str]:
    """Names in squid's dstdomain form: ``.suffix`` for wildcards, exact names for the rest.

    squid treats ``.push.apple.com`` as the domain *and* all its subdomains and refuses an ACL that lists a name
    together with a dot-domain covering it (``FATAL: Bungled ... is a subdomain of``), so names and nested
    dot-domains under a listed wildcard are dropped here.
    """
    suffixes = sorted(set(wildcards), key=lambda name: (name.count("."), name))
    kept_suffixes: list[str] = []
    for suffix in suffixes:
        if not any(suffix == kept or suffix.endswith("." + kept) for kept in kept_suffixes):
            kept_suffixes.append(suffix)
    covered = set(kept_suffixes)

    def is_covered(name: str) -> bool:
        labels = name.split(".")
        return any(".".join(labels[start:]) in covered for start in range(len(labels)))

    names = [name for name in set(fqdns) if not is_covered(name)]
    return sorted(["." + suffix for suffix in kept_suffixes] + names, key=lambda value: value.lstrip("."))


def _check_options(options: dict) -> dict:
    opts = check_options(options, OPTIONS, SquidRenderError)
    prefix = opts["acl_prefix"]
    if not _ACL_PREFIX_RE.match(prefix):
        raise SquidRenderError(f"option acl_prefix {prefix!r}: use a lower-case letter then up to 40 of [a-z0-9_]")
    clients = []
    for value in opts["clients"]:
        try:
            clients.append(str(parse_cidr(value, "clients entry")))
        except ValueError as exc:
            raise SquidRenderError(str(exc)) from None
    plain = set()
    for value in opts["plain_http_ports"] or ():
        if not 1 <= value <= 65535:
            raise SquidRenderError(f"option plain_http_ports entry {value!r}: not a port number between 1 and 65535")
        plain.add(value)
    ssl_bump = opts["ssl_bump"]
    if not (isinstance(ssl_bump, str) and ssl_bump == "auto"):
        try:
            ssl_bump = parse_bool(ssl_bump, "ssl_bump")
        except ValueError:
            raise SquidRenderError(f"option ssl_bump {ssl_bump!r}: not a valid choice; valid choices: true, false,"
                                   " auto") from None
    else:
        ssl_bump = bool(_SSL_BUMP_RE.search(opts["site_config"] or ""))
    return {
        "prefix": prefix,
        "clients": clients,
        "plain": plain,
        "deny_other": opts["deny_other_connect_ports"],
        "ssl_bump": ssl_bump,
        "header": opts["header"],
    }


def _acl(lines: list[str], name: str, kind: str, values: list[str], per_line: int = 8) -> None:
    """Append ``acl`` lines; squid ORs the values of repeated lines with the same name."""
    for start in range(0, len(values), per_line):
        lines.append(f"acl {name} {kind} {' '.join(values[start:start + per_line])}")


def site_uses_ssl_bump(site_config: str) -> bool:
    """True when the site's squid.conf text has an ``ssl_bump`` directive."""
    return bool(_SSL_BUMP_RE.search(site_config or ""))


def render(model: dict, **options) -> str:
    """Render the squid include for ``model`` (see FORMAT_DOC for the options)."""
    check_model(model, error=SquidRenderError)
    opts = _check_options(options)
    prefix = opts["prefix"]
    lines: list[str] = []
    if opts["header"]:
        lines += [
            "# netallow.apple: Apple hosts allowed through this proxy without authentication or TLS interception.",
            "# Generated from the catalog; include this file before the site's first http_access/ssl_bump line.",
            f"# Entries: {model.get('entry_count', 0)}",
        ]
        lines += [f"# {line}" for line in stamp_lines(model["stamp"])] if model.get("stamp") else []
    lines.append(f"acl {prefix}_connect method CONNECT")
    client_acl = ""
    if opts["clients"]:
        _acl(lines, f"{prefix}_clients", "src", opts["clients"])
        client_acl = f"{prefix}_clients "

    rules: list[str] = []
    all_connect_ports: set[int] = set()
    tcp_fqdns: set[str] = set()
    tcp_wildcards: set[str] = set()
    for group in model.get("groups", ()):
        name = f"{prefix}_{group['name']}"
        if group.get("protocol") != "tcp":
            lines.append(f"# {group['name']}: not proxied by squid (UDP)")
            continue
        ports = set(expand_ports(group.get("ports", ())))
        connect_ports = ports - opts["plain"]
        domains = squid_domains(group.get("fqdns", ()), group.get("wildcards", ()))
        networks = list(group.get("cidrs4", ())) + list(group.get("cidrs6", ()))
        if not (domains or networks) or not ports:
            continue
        lines.append(f"# {group['name']}: {len(group.get('entry_ids', ()))} catalog entries")
        tcp_fqdns.update(group.get("fqdns", ()))
        tcp_wildcards.update(group.get("wildcards", ()))
        _acl(lines, f"{name}_ports", "port", _compress_ports(ports))
        if connect_ports:
            all_connect_ports |= connect_ports
            _acl(lines, f"{name}_tls_ports", "port", _compress_ports(connect_ports))
        # Name ACLs come before address ACLs in every rule: a dst ACL costs a DNS lookup per request.
        destinations = []
        if domains:
            _acl(lines, f"{name}_names", "dstdomain -n", domains)
            destinations.append(f"{name}_names")
        if networks:
            _acl(lines, f"{name}_nets", "dst", networks)
            destinations.append(f"{name}_nets")
        for destination in destinations:
            if connect_ports:
                rules.append(f"http_access allow {client_acl}{prefix}_connect {name}_tls_ports {destination}")
            rules.append(f"http_access allow {client_acl}!{prefix}_connect {name}_ports {destination}")

    # Only names reached over TCP: a UDP-only name (time.apple.com) has no business in a CONNECT rule.
    all_domains = squid_domains(tcp_fqdns, tcp_wildcards)
    if all_domains and opts["deny_other"]:
        _acl(lines, f"{prefix}_all_names", "dstdomain -n", all_domains)
        if all_connect_ports:
            _acl(lines, f"{prefix}_all_tls_ports", "port", _compress_ports(all_connect_ports))
            rules.insert(0, f"http_access deny {prefix}_connect {prefix}_all_names !{prefix}_all_tls_ports")
        else:
            rules.insert(0, f"http_access deny {prefix}_connect {prefix}_all_names")
    lines += rules

    if opts["ssl_bump"] and all_domains:
        lines += [
            "# TLS to Apple hosts is never intercepted: peek at the client hello, then splice on the SNI name.",
            f"acl {prefix}_step1 at_step SslBump1",
            f"acl {prefix}_step2 at_step SslBump2",
        ]
        _acl(lines, f"{prefix}_tls_names", "ssl::server_name", all_domains)
        lines += [
            f"ssl_bump peek {prefix}_step1 {prefix}_tls_names",
            f"ssl_bump splice {prefix}_step2 {prefix}_tls_names",
        ]
    return "\n".join(lines) + "\n"

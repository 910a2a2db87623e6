# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plain one-item-per-line lists of the allow-list model: external dynamic lists and threat feeds."""

from __future__ import annotations

import typing as t

FORMAT_DOC = """\
C(lists): a plain text list, one item per line, for feeds that a firewall downloads (Palo Alto Networks external
dynamic lists, FortiGate external threat feeds, other URL/domain/IP list consumers). Options: C(kind) (C(domains), the
default: the model's FQDNs and wildcard domains; C(ips): its IPv4 and IPv6 CIDRs; C(urls): host patterns with a
trailing C(/) for URL lists), C(wildcard_style) (C(star), the default: C(*.push.apple.com), what PAN-OS domain and URL
EDLs and FortiGate domain and URL feeds expect, covering subdomains only; C(dot): C(.push.apple.com), the
leading-dot suffix notation of squid C(dstdomain) files and many URL-list importers, which usually also covers the
apex; C(bare): C(push.apple.com), for consumers that expand every entry to its subdomains, such as PAN-OS domain
EDLs with "Automatically Expand to Include Subdomains", which also covers the apex), C(family) (C(all), the
default, C(ipv4) or C(ipv6); for C(kind=ips)), C(header) (default false: a first line starting with C(#) that names
the list; only for consumers that skip C(#) lines, such as FortiGate/FortiMail threat feeds and squid/dnsmasq
files; PAN-OS EDLs accept comments only after an entry on the same line, so leave it off for them). FQDNs are always
exact names; with C(kind=urls) they end in C(/) so that PAN-OS does not append its implicit C(*) to them."""

# Files playbooks/render.yml writes for this format (path relative to out/render/ -> options).
OUTPUTS = {
    "lists/domains.txt": {"kind": "domains"},
    "lists/ips.txt": {"kind": "ips"},
    "lists/urls.txt": {"kind": "urls"},
}

_OPTIONS = {
    "kind": ("domains", ("domains", "ips", "urls")),
    "wildcard_style": ("star", ("star", "dot", "bare")),
    "family": ("all", ("all", "ipv4", "ipv6")),
    "header": (False, (True, False)),
}


class ListsRenderError(ValueError):
    """Invalid option for the lists renderer."""


def _options(options: t.Mapping[str, t.Any]) -> dict:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise ListsRenderError(
            f"unknown lists renderer option(s) {', '.join(unknown)}; valid options: {', '.join(_OPTIONS)}"
        )
    result = {}
    for name, (default, choices) in _OPTIONS.items():
        value = options.get(name, default)
        if value is None:
            value = default
        # bool is an int subclass: compare types too, so that 1 is not taken for True.
        if not any(value == choice and type(value) is type(choice) for choice in choices):
            raise ListsRenderError(
                f"invalid lists renderer option {name}={value!r}; valid values: {', '.join(map(str, choices))}"
            )
        result[name] = value
    return result


def _wildcard(domain: str, style: str) -> str:
    if style == "star":
        return "*." + domain
    if style == "dot":
        return "." + domain
    return domain


def lines(model: t.Mapping[str, t.Any], **options: t.Any) -> list:
    """The list items (without header) for ``model`` and the options of FORMAT_DOC."""
    opts = _options(options)
    kind = opts["kind"]
    if kind == "ips":
        items = []
        if opts["family"] in ("all", "ipv4"):
            items += list(model["cidrs4"])
        if opts["family"] in ("all", "ipv6"):
            items += list(model["cidrs6"])
        return items
    style = opts["wildcard_style"]
    names = [_wildcard(domain, style) for domain in model["wildcards"]]
    if style == "bare":
        # A bare domain already stands for its subdomains here: the FQDNs under it would be duplicates.
        wildcards = tuple("." + domain for domain in model["wildcards"])
        fqdns = [name for name in model["fqdns"] if name not in model["wildcards"] and not name.endswith(wildcards)]
    else:
        fqdns = list(model["fqdns"])
    items = sorted(set(fqdns + names), key=lambda item: (item.lstrip("*."), item))
    if kind == "urls":
        items = [item + "/" for item in items]
    return items


def render(model: t.Mapping[str, t.Any], **options: t.Any) -> str:
    """Render ``model`` as a one-item-per-line list (see FORMAT_DOC for the options)."""
    if not isinstance(model, t.Mapping) or "groups" not in model:
        raise ListsRenderError("the lists renderer needs the allow-list model (a dict with 'groups'); use to_allowlist")
    opts = _options(options)
    items = lines(model, **options)
    header = []
    if opts["header"]:
        what = {"domains": "domain", "ips": f"IP ({opts['family']})", "urls": "URL"}[opts["kind"]]
        header = [f"# netallow.apple {what} list: {len(items)} entries"]
    return "".join(line + "\n" for line in header + items)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plain one-item-per-line lists of the allow-list model: external dynamic lists and threat feeds."""

from __future__ import annotations

import typing as t

from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(lists): a plain text list, one item per line, for feeds that a firewall downloads (Palo Alto Networks external dynamic
lists, FortiGate external threat feeds, other URL/domain/IP list consumers). FQDNs are always exact names; with
C(kind=urls) they end in C(/) so that PAN-OS does not append its implicit C(*) to them."""

# Files playbooks/render.yml writes for this format (path relative to out/render/ -> options).
OUTPUTS = {
    "lists/domains.txt": {"kind": "domains"},
    "lists/ips.txt": {"kind": "ips"},
    "lists/urls.txt": {"kind": "urls"},
}

OPTIONS = {
    "kind": {"type": "str", "choices": ["domains", "ips", "urls"], "default": "domains",
             "description": "C(domains): the FQDNs and wildcard domains; C(ips): the IPv4 and IPv6 CIDRs; C(urls): "
                            "host patterns with a trailing C(/) for URL lists."},
    "wildcard_style": {"type": "str", "choices": ["star", "dot", "bare"], "default": "star",
                       "description": "C(star): C(*.push.apple.com) (PAN-OS EDLs, FortiGate feeds; subdomains only); "
                                      "C(dot): C(.push.apple.com) (squid C(dstdomain) files, many URL-list importers; "
                                      "usually also the apex); C(bare): C(push.apple.com) (consumers that expand "
                                      "every entry to its subdomains; also the apex)."},
    "family": {"type": "str", "choices": ["all", "ipv4", "ipv6"], "default": "all",
               "description": "The address family of C(kind=ips)."},
    "header": {"type": "bool", "default": False,
               "description": "A first line starting with C(#) that names the list, only for consumers that skip "
                              "C(#) lines (FortiGate/FortiMail threat feeds, squid and dnsmasq files; not PAN-OS "
                              "EDLs)."},
}


class ListsRenderError(RenderError):
    """Invalid option for the lists renderer."""

    format = "lists"


def _options(options: t.Mapping[str, t.Any]) -> dict:
    return check_options(options, OPTIONS, ListsRenderError)


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
        raise ListsRenderError("model: not the allow-list model (a dict with 'groups'); use to_allowlist")
    opts = _options(options)
    items = lines(model, **options)
    header = []
    if opts["header"]:
        what = {"domains": "domain", "ips": f"IP ({opts['family']})", "urls": "URL"}[opts["kind"]]
        header = [f"# netallow.apple {what} list: {len(items)} entries"]
    return "".join(line + "\n" for line in header + items)

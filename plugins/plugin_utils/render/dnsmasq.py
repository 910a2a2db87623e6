# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dnsmasq ``nftset=`` / ``ipset=`` lines that fill per-group address sets as Apple names are resolved."""

from __future__ import annotations

import re
import typing as t

from ansible_collections.netallow.apple.plugins.plugin_utils.render import _dnsmasq_lines, _naming
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(dnsmasq): dnsmasq configuration lines that add the addresses of every resolved Apple name to per-group sets, so a
firewall can allow them by address. C(mode=nftset) (the default) writes
C(nftset=/name/.../4#<family>#<table>#<set>,6#<family>#<table>#<set>) lines that fill exactly the dynamic sets the
C(nftables) format creates (C(<group>_dns4), C(<group>_dns6) in table C(inet netallow_apple); dnsmasq 2.87 or
later); C(mode=ipset) writes C(ipset=/name/.../<set>,<set>) lines that fill the C(apple_<group>_dns4)/C(_dns6) sets
the C(iptables) format creates. dnsmasq matches a listed C(/domain/) and every name below it: for a wildcard
C(*.push.apple.com) that is exactly our wildcard semantics plus the apex C(push.apple.com) itself, and a listed FQDN
also lets names below it through (they are still Apple's names). A name is listed once, with the sets of every group
that allows it, including the groups of wildcards that cover it, because dnsmasq only uses the most specific
matching line; lines stay under dnsmasq's 1025-byte limit."""

# Files playbooks/render.yml writes for this format (path relative to out/render/ -> options).
OUTPUTS = {"dnsmasq/nftset.conf": {"mode": "nftset"}, "dnsmasq/ipset.conf": {"mode": "ipset"}}

OPTIONS = {
    "mode": {"type": "str", "choices": ["nftset", "ipset"], "default": "nftset",
             "description": "C(nftset) lines for the nftables format's sets or C(ipset) lines for the iptables "
                            "format's ipsets."},
    "table": {"type": "str", "default": "netallow_apple",
              "description": "nft table of the sets (C(mode=nftset)); the nftables format's own table by default, "
                             "the user's table (such as C(filter)) with its C(mode=allow)."},
    "family": {"type": "str", "choices": ["inet", "ip", "ip6"], "default": "inet",
               "description": "nft table family (C(mode=nftset)); an C(ip)/C(ip6) table holds sets of its own family "
                              "only."},
    "set_prefix": {"type": "str",
                   "description": "Prefix of the set names: by default empty for C(mode=nftset) (the nftables "
                                  "format's enforce mode; use C(netallow_apple_) with its allow mode) and C(apple_) "
                                  "for C(mode=ipset) (the iptables format's default). A letter then up to 15 letters, "
                                  "digits or C(_), or empty."},
    "header": {"type": "bool", "default": True,
               "description": "Start with a C(#) comment line naming what the file holds; dnsmasq skips it."},
}

_SAFE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_SAFE_PREFIX_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]{0,15})?\Z")


def check_identifiers(opts: dict, error: type) -> None:
    """``table``, ``chain`` and ``set_prefix`` go into configuration lines: safe identifiers only."""
    for name in ("table", "chain"):
        if name in opts and not _SAFE_NAME_RE.match(opts[name]):
            raise error(f"option {name} {opts[name]!r}: expected a letter then up to 30 letters, digits or '_'")
    if opts.get("set_prefix") is not None and not _SAFE_PREFIX_RE.match(opts["set_prefix"]):
        raise error(f"option set_prefix {opts['set_prefix']!r}: expected a letter then up to 15 letters, digits or"
                    " '_' (or empty)")


def require_model(model: t.Any, error: type) -> None:
    if not isinstance(model, t.Mapping) or not isinstance(model.get("groups"), list):
        raise error("model: not the allow-list model (a dict with 'groups'); use netallow.apple.to_allowlist")


def name_groups(model: t.Mapping[str, t.Any]) -> dict:
    """``{domain: [group names]}``: every group that allows the name or a wildcard covering it, sorted."""
    own: dict = {}
    covering: dict = {}
    for group in model["groups"]:
        for name in group["fqdns"]:
            own.setdefault(name, set()).add(group["name"])
        for domain in group["wildcards"]:
            own.setdefault(domain, set()).add(group["name"])
            covering.setdefault(domain, set()).add(group["name"])
    return _dnsmasq_lines.with_covering(own, covering)


class DnsmasqRenderError(RenderError):
    """Invalid option for the dnsmasq renderer."""

    format = "dnsmasq"


def render(model: t.Mapping[str, t.Any], **options: t.Any) -> str:
    """Render ``model`` as dnsmasq ``nftset=`` or ``ipset=`` lines (see FORMAT_DOC for the options)."""
    require_model(model, DnsmasqRenderError)
    opts = check_options(options, OPTIONS, DnsmasqRenderError)
    check_identifiers(opts, DnsmasqRenderError)
    nftset = opts["mode"] == "nftset"
    prefix = opts["set_prefix"]
    if prefix is None:
        prefix = _naming.NFT_ENFORCE_PREFIX if nftset else _naming.IPSET_PREFIX
    if nftset:
        wanted = _naming.families(opts["family"])
        own = {name: [_dnsmasq_lines.nftset_target(family, opts["family"], opts["table"],
                                                   _naming.set_name(prefix, group, "dns", family, _naming.NFT_NAME_MAX))
                      for group in groups for family in ("4", "6") if family in wanted]
               for name, groups in name_groups(model).items()}
    else:
        own = {name: [_naming.set_name(prefix, group, "dns", family) for group in groups for family in ("4", "6")]
               for name, groups in name_groups(model).items()}
    body = _dnsmasq_lines.lines(opts["mode"], own, DnsmasqRenderError)
    header = [f"# netallow.apple: {opts['mode']} lines for {len(own)} names"] if opts["header"] else []
    return "".join(line + "\n" for line in header + body)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render the allow-list model as firewalld permanent configuration (ipsets and one policy).

firewalld owns the whole ruleset on hosts where it runs, so the collection writes firewalld's own configuration
objects and lets firewalld build the rules: one ipset per group of ports and address family (CIDRs in ``hash:net``
sets, addresses learnt from DNS in ``hash:ip`` sets with a timeout) and one policy, ``netallow_apple``, between the
ingress and egress zones the user names (the host's own egress is ``HOST`` to ``ANY``). Rich rules in the policy
accept each group's ports towards its ipsets. In ``enforce`` mode the policy's target drops what no rule accepted;
in ``allow`` mode it continues to the zones, whose own policy decides.
"""

from __future__ import annotations

import json
import re
import typing as t
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.netallow.apple.plugins.module_utils._stamp import stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import check_model
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import parse_address
from ansible_collections.netallow.apple.plugins.plugin_utils.render import _dnsmasq_lines, _naming
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(firewalld): firewalld permanent configuration. The options below choose the mode, the zones, the backend and the
artifact: C(files) (XML per ipset and policy), C(dnsmasq) (lines that fill the name ipsets) or C(names)."""

# The files playbooks/render.yml writes for this format (path under out/render/ -> options).
OUTPUTS = {
    "firewalld/files.json": {"artifact": "files"},
    "firewalld/dnsmasq-nftset.conf": {"artifact": "dnsmasq"},
}

TAG = "netallow_apple"
MODES = ("enforce", "allow")
FAMILIES = ("inet", "ip", "ip6")
BACKENDS = ("nftables", "iptables")
ARTIFACTS = ("files", "dnsmasq", "names")
OPTIONS = {
    "mode": {"type": "str", "choices": list(MODES), "default": "enforce",
             "description": "C(enforce): the policy's target is C(DROP) (C(CONTINUE) with C(drop_other=false)); "
                            "C(allow): target C(CONTINUE), the accept rules come before the zones' own drop."},
    "policy": {"type": "str", "default": TAG,
               "description": "The policy's name: a letter then up to 16 of C([A-Za-z0-9_-])."},
    "priority": {"type": "int", "default": -100,
                 "description": "Non-zero policy priority from -32768 to 32767; negative runs before the zones."},
    "ingress_zones": {"type": "list", "default": ["HOST"], "description": "Zones the traffic comes from."},
    "egress_zones": {"type": "list", "default": ["ANY"], "description": "Zones the traffic goes to."},
    "family": {"type": "str", "choices": list(FAMILIES), "default": "inet", "description": "The address families."},
    "resolvers": {"type": "list", "default": [], "description": "DNS servers always allowed."},
    "dynamic_timeout": {"type": "int", "default": 3600,
                        "description": "Seconds an address learnt from DNS stays in a name ipset (1 to 2147483)."},
    "drop_other": {"type": "bool", "default": True,
                   "description": "Enforce mode: false sets the target to C(CONTINUE), which only lets the zones "
                                  "decide."},
    "backend": {"type": "str", "choices": list(BACKENDS), "default": "nftables",
                "description": "firewalld's backend, which decides the dnsmasq syntax (C(nftset=) or C(ipset=))."},
    "artifact": {"type": "str", "choices": list(ARTIFACTS), "default": "files",
                 "description": "C(files): JSON object, path under the firewalld configuration directory to XML "
                                "content; C(dnsmasq): lines that add the addresses of allowed names to the name "
                                "ipsets; C(names): JSON list of the ipset and policy names the configuration owns."},
}
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,16}\Z")
_ZONE_RE = re.compile(r"^(HOST|ANY|[A-Za-z0-9_-]{1,17})\Z")
# firewalld keeps priority 0 out of policies; negative runs before the zones, positive after.
_PRIORITY_RANGE = (-32768, 32767)


class FirewalldRenderError(RenderError):
    """An option given to the firewalld renderer is not valid."""

    format = "firewalld"


def _list(value: t.Any, what: str) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise FirewalldRenderError(f"{what} {value!r} is not valid: expected a list")


def _zones(value: t.Any, what: str, default: list[str]) -> list[str]:
    zones = _list(value, what) or default
    for zone in zones:
        if not isinstance(zone, str) or not _ZONE_RE.match(zone):
            raise FirewalldRenderError(
                f"{what} entry {zone!r} is not a zone name: HOST, ANY or 1-17 of [A-Za-z0-9_-]")
    if len(zones) > 1 and {"HOST", "ANY"} & set(zones):
        raise FirewalldRenderError(f"{what} {zones!r}: HOST and ANY cannot be combined with other zones")
    return zones


def _check_options(options: dict) -> dict:
    given = check_options(options, OPTIONS, FirewalldRenderError)
    opts: dict = {key: given[key] for key in ("mode", "family", "backend", "artifact", "drop_other")}
    policy = given["policy"] or TAG
    if not _NAME_RE.match(policy):
        raise FirewalldRenderError(
            f"option policy {policy!r}: not a valid firewalld policy name: a letter then up to 16 of [A-Za-z0-9_-]")
    opts["policy"] = policy
    priority = given["priority"]
    if priority == 0 or not _PRIORITY_RANGE[0] <= priority <= _PRIORITY_RANGE[1]:
        raise FirewalldRenderError(
            f"option priority {priority!r}: use a non-zero integer from -32768 to 32767 (negative runs before the"
            " zones)")
    opts["priority"] = priority
    opts["ingress"] = _zones(given["ingress_zones"], "ingress_zones", ["HOST"])
    opts["egress"] = _zones(given["egress_zones"], "egress_zones", ["ANY"])
    resolvers = []
    for item in _list(given["resolvers"], "resolvers"):
        try:
            resolvers.append(parse_address(item, "resolvers entry"))
        except ValueError as exc:
            raise FirewalldRenderError(str(exc)) from None
    opts["resolvers"] = sorted(set(resolvers), key=lambda address: (address.version, address))
    timeout = given["dynamic_timeout"]
    if not 1 <= timeout <= 2147483:
        raise FirewalldRenderError(
            f"option dynamic_timeout {timeout!r}: use seconds from 1 to 2147483 (ipset's limit)")
    opts["timeout"] = timeout
    return opts


def ipset_name(group_name: str, suffix: str) -> str:
    """``netallow_apple_<group>_<suffix>`` (``net4``, ``dns6``, ...), within ipset's 31 characters (see _naming)."""
    return _naming.set_name(_naming.FIREWALLD_PREFIX, group_name, suffix[:-1], suffix[-1])


def ipsets(model: t.Mapping, opts: dict) -> list[dict]:
    """The ipsets of the configuration, in group order: CIDRs (``hash:net``) and names (``hash:ip``)."""
    result = []
    for group in model.get("groups") or ():
        for family in _naming.families(opts["family"]):
            base = {"group": group, "family": family, "rule_family": "ipv4" if family == "4" else "ipv6"}
            cidrs = group.get(f"cidrs{family}") or []
            if cidrs:
                result.append(dict(base, name=ipset_name(group["name"], f"net{family}"), dynamic=False, entries=cidrs))
            if group.get("fqdns") or group.get("wildcards"):
                result.append(dict(base, name=ipset_name(group["name"], f"dns{family}"), dynamic=True, entries=[]))
    return result


def _ipset_xml(item: dict, opts: dict) -> str:
    group = item["group"]
    kind = "names resolved by DNS" if item["dynamic"] else "address blocks"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<ipset type="{"hash:ip" if item["dynamic"] else "hash:net"}">',
             f"  <short>{escape(TAG)} {escape(group['name'])} IPv{item['family']}</short>",
             f"  <description>Apple {kind} for {escape(group['protocol'])} ports "
             f"{escape(', '.join(str(port) for port in group['ports']))}; managed by netallow.apple.</description>",
             f'  <option name="family" value="{"inet" if item["family"] == "4" else "inet6"}"/>']
    if item["dynamic"]:
        lines.append(f'  <option name="timeout" value="{opts["timeout"]}"/>')
    lines += [f"  <entry>{escape(entry)}</entry>" for entry in item["entries"]]
    lines.append("</ipset>")
    return "\n".join(lines) + "\n"


def _stamp_text(model: t.Mapping) -> str:
    """The stamp line (version and selection digest; the names stay out of the description)."""
    return " " + escape(stamp_lines(model["stamp"])[0]) if model.get("stamp") else ""


def _policy_xml(model: t.Mapping, opts: dict, sets: list[dict]) -> str:
    target = "DROP" if opts["mode"] == "enforce" and opts["drop_other"] else "CONTINUE"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<policy target="{target}" priority="{opts["priority"]}">',
             f"  <short>{escape(TAG)}</short>",
             f"  <description>Apple network requirements ({escape(opts['mode'])} mode, "
             f"{model.get('entry_count', 0)} entries); managed by netallow.apple.{_stamp_text(model)}</description>"]
    lines += [f"  <ingress-zone name={quoteattr(zone)}/>" for zone in opts["ingress"]]
    lines += [f"  <egress-zone name={quoteattr(zone)}/>" for zone in opts["egress"]]
    for address in opts["resolvers"]:
        if str(address.version) not in _naming.families(opts["family"]):
            continue
        for protocol in ("udp", "tcp"):
            lines.append(f'  <rule family="ipv{address.version}"><destination address="{address}"/>'
                         f'<port port="53" protocol="{protocol}"/><accept/></rule>')
    for item in sets:
        group = item["group"]
        for port in group["ports"]:
            # A rich rule takes one port or range, so a group of ports is one rule each.
            lines.append(f'  <rule family="{item["rule_family"]}"><destination ipset={quoteattr(item["name"])}/>'
                         f'<port port="{port}" protocol="{group["protocol"]}"/><accept/></rule>')
    lines.append("</policy>")
    return "\n".join(lines) + "\n"


def _dnsmasq(model: t.Mapping, opts: dict, sets: list[dict]) -> list[str]:
    own: dict = {}
    covering: dict = {}
    nftset = opts["backend"] == "nftables"
    for item in sets:
        if not item["dynamic"]:
            continue
        # firewalld keeps its ipsets as sets of its own table, inet firewalld, with the nftables backend.
        target = _dnsmasq_lines.nftset_target(item["family"], "inet", "firewalld", item["name"]) if nftset \
            else item["name"]
        for name in list(item["group"].get("fqdns") or ()) + list(item["group"].get("wildcards") or ()):
            own.setdefault(name, set()).add(target)
        for name in item["group"].get("wildcards") or ():
            covering.setdefault(name, set()).add(target)
    targets = _dnsmasq_lines.with_covering(own, covering)
    return _dnsmasq_lines.lines("nftset" if nftset else "ipset", targets, FirewalldRenderError)


def render(model: t.Mapping, **options: t.Any) -> str:
    """Render ``model`` as the firewalld artifact chosen by ``artifact`` (see FORMAT_DOC)."""
    if not isinstance(model, t.Mapping) or not isinstance(model.get("groups"), list):
        raise FirewalldRenderError("the firewalld renderer needs the allow-list model (a dict with 'groups')")
    check_model(model, error=FirewalldRenderError)
    opts = _check_options(options)
    sets = ipsets(model, opts)
    if opts["artifact"] == "names":
        return json.dumps({"ipsets": [item["name"] for item in sets], "policy": opts["policy"]})
    if opts["artifact"] == "dnsmasq":
        stamp = [f"# {line}" for line in stamp_lines(model["stamp"])] if model.get("stamp") else []
        return "\n".join(["# Managed by netallow.apple; changes are overwritten."] + stamp
                         + _dnsmasq(model, opts, sets)) + "\n"
    files = {f"ipsets/{item['name']}.xml": _ipset_xml(item, opts) for item in sets}
    files[f"policies/{opts['policy']}.xml"] = _policy_xml(model, opts, sets)
    return json.dumps(files, indent=1, sort_keys=True)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``ipset restore`` and ``iptables-restore`` / ``ip6tables-restore`` files for the allow-list model."""

from __future__ import annotations

import typing as t

from ansible_collections.netallow.apple.plugins.plugin_utils.render import _naming
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options
from ansible_collections.netallow.apple.plugins.plugin_utils.render.dnsmasq import check_identifiers, require_model

FORMAT_DOC = """\
C(iptables): files for C(ipset restore) and C(iptables-restore)/C(ip6tables-restore), selected by C(artifact): C(ipset)
(the default) creates per group a C(hash:net) set of its IPv4 CIDRs (C(<set_prefix><group>_net4)) and of its IPv6 CIDRs
(C(_net6)), refilled on every load, and empty C(hash:ip) sets with a C(timeout) (C(_dns4), C(_dns6)) that the C(dnsmasq)
format's C(ipset=) lines fill with the addresses of resolved Apple names (existing entries are kept on reload); load it
with C(ipset -exist restore). C(rules4) / C(rules6) is a C(*filter) table section for C(iptables-restore --noflush) /
C(ip6tables-restore --noflush): a dedicated chain (C(chain), default C(NETALLOW_APPLE), emptied and refilled on every
load) with one ACCEPT rule per group and set (C(-m set --match-set <set> dst -m multiport --dports <ports>), at most 15
ports per rule), optionally led by an ESTABLISHED,RELATED accept (C(established), default true) and ended by C(final)
(C(return), the default: the calling chain decides; C(drop); C(reject)). C(hook) (C(OUTPUT), the default, C(FORWARD), or
C(none)) adds the jump from that built-in chain, inserted at its top: load a file with a hook once and later reloads
with C(hook=none), or the jump is added again. The ipsets must exist before the rules are loaded."""

# Files playbooks/render.yml writes for this format (path relative to out/render/ -> options).
OUTPUTS = {
    "iptables/ipset.restore": {"artifact": "ipset"},
    "iptables/rules.v4": {"artifact": "rules4"},
    "iptables/rules.v6": {"artifact": "rules6"},
}

OPTIONS = {
    "artifact": {"type": "str", "choices": ["ipset", "rules4", "rules6"], "default": "ipset",
                 "description": "C(ipset) for C(ipset -exist restore), C(rules4)/C(rules6) for "
                                "C(iptables-restore --noflush)/C(ip6tables-restore --noflush)."},
    "chain": {"type": "str", "default": "NETALLOW_APPLE",
              "description": "The collection's own chain, emptied and refilled on every load; never a built-in chain."},
    "hook": {"type": "str", "choices": ["OUTPUT", "FORWARD", "none"], "default": "OUTPUT",
             "description": "The built-in chain whose top jumps to C(chain); C(none) on reloads, or the jump is added "
                            "again."},
    "final": {"type": "str", "choices": ["return", "drop", "reject"], "default": "return",
              "description": "What ends C(chain): C(return) lets the calling chain decide."},
    "established": {"type": "bool", "default": True,
                    "description": "Lead the chain with an ESTABLISHED,RELATED accept."},
    "set_prefix": {"type": "str", "default": _naming.IPSET_PREFIX,
                   "description": "Prefix of the ipset names; the dnsmasq format's C(mode=ipset) uses the same "
                                  "default."},
    "timeout": {"type": "int", "default": 3600,
                "description": "Seconds a resolved address stays in a C(_dns4)/C(_dns6) set (1 to 2147483)."},
    "header": {"type": "bool", "default": True, "description": "Start with C(#) comment lines."},
}
_BUILTIN_CHAINS = ("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING")
_MULTIPORT_SLOTS = 15  # iptables multiport: at most 15 ports, a range counting as two


class IptablesRenderError(RenderError):
    """Invalid option for the iptables renderer."""

    format = "iptables"


def _options(options: t.Mapping[str, t.Any]) -> dict:
    opts = check_options(options, OPTIONS, IptablesRenderError)
    check_identifiers(opts, IptablesRenderError)
    if opts["chain"].upper() in _BUILTIN_CHAINS:
        raise IptablesRenderError(
            f"option chain {opts['chain']!r}: a built-in chain is not the collection's to replace; name a chain of"
            f" its own such as NETALLOW_APPLE (built-in: {', '.join(_BUILTIN_CHAINS)})")
    timeout = opts["timeout"]
    if not 1 <= timeout <= 2147483:
        raise IptablesRenderError(f"option timeout {timeout!r}: expected seconds from 1 to 2147483")
    return opts


def _port_chunks(ports: t.Sequence[t.Union[int, str]]) -> list:
    """Split a group's ports into multiport lists of at most 15 slots, ranges written ``low:high``."""
    chunks: list = []
    current: list = []
    slots = 0
    for port in ports:
        cost = 2 if isinstance(port, str) else 1
        if slots + cost > _MULTIPORT_SLOTS:
            chunks.append(current)
            current, slots = [], 0
        current.append(str(port).replace("-", ":"))
        slots += cost
    if current:
        chunks.append(current)
    return chunks


def group_sets(group: t.Mapping[str, t.Any], set_prefix: str, version: int) -> list:
    """The sets a group's rules match for one IP version: its CIDR set (if any) then its dnsmasq-filled set."""
    sets = []
    if group["cidrs4" if version == 4 else "cidrs6"]:
        sets.append(_naming.set_name(set_prefix, group["name"], "net", str(version)))
    if group["fqdns"] or group["wildcards"]:
        sets.append(_naming.set_name(set_prefix, group["name"], "dns", str(version)))
    return sets


def _ipset(model: t.Mapping[str, t.Any], opts: dict) -> list:
    lines = []
    for group in model["groups"]:
        for version, family in ((4, "inet"), (6, "inet6")):
            cidrs = group["cidrs4" if version == 4 else "cidrs6"]
            if cidrs:
                name = _naming.set_name(opts["set_prefix"], group["name"], "net", str(version))
                lines.append(f"create {name} hash:net family {family}")
                # Refilled on every load, so a CIDR dropped from the catalog disappears.
                lines.append(f"flush {name}")
                lines.extend(f"add {name} {cidr}" for cidr in cidrs)
            if group["fqdns"] or group["wildcards"]:
                name = _naming.set_name(opts["set_prefix"], group["name"], "dns", str(version))
                lines.append(f"create {name} hash:ip family {family} timeout {opts['timeout']}")
    return lines


def _rules(model: t.Mapping[str, t.Any], opts: dict, version: int) -> list:
    chain = opts["chain"]
    lines = ["*filter", f":{chain} - [0:0]"]
    if opts["hook"] != "none":
        lines.append(f"-I {opts['hook']} 1 -j {chain}")
    if opts["established"]:
        lines.append(f"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
    for group in model["groups"]:
        for set_ in group_sets(group, opts["set_prefix"], version):
            for ports in _port_chunks(group["ports"]):
                lines.append(
                    f"-A {chain} -p {group['protocol']} -m set --match-set {set_} dst"
                    f" -m multiport --dports {','.join(ports)}"
                    f' -m comment --comment "netallow.apple {group["name"]}" -j ACCEPT'
                )
    if opts["final"] == "drop":
        lines.append(f"-A {chain} -j DROP")
    elif opts["final"] == "reject":
        lines.append(f"-A {chain} -j REJECT")
    else:
        lines.append(f"-A {chain} -j RETURN")
    lines.append("COMMIT")
    return lines


def render(model: t.Mapping[str, t.Any], **options: t.Any) -> str:
    """Render ``model`` as the ipset or iptables artifact chosen by ``artifact`` (see FORMAT_DOC)."""
    require_model(model, IptablesRenderError)
    opts = _options(options)
    artifact = opts["artifact"]
    header = []
    if opts["header"]:
        load = {
            "ipset": "ipset -exist restore < FILE",
            "rules4": "iptables-restore --noflush < FILE",
            "rules6": "ip6tables-restore --noflush < FILE",
        }[artifact]
        header = [f"# netallow.apple {artifact}: load with {load}"]
    body = _ipset(model, opts) if artifact == "ipset" else _rules(model, opts, 4 if artifact == "rules4" else 6)
    return "".join(line + "\n" for line in header + body)

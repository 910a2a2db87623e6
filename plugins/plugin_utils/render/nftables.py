# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render the allow-list model as nftables configuration.

nftables runs every base chain registered on a hook, whatever table it sits in: an ``accept`` in one table does not
undo a ``drop`` in another. Hence two modes:

``enforce``
    The collection's own table (default ``inet netallow_apple``) holds the policy. Its base chain (named after the
    hook, ``output`` or ``forward``) sends the scoped traffic to the ``allowlist`` chain, which keeps established
    traffic, loopback, DNS to the chosen resolvers and the management SSH session, accepts Apple traffic and drops
    the rest. Nothing outside this table is touched.

``allow``
    The host already drops in a chain the user names (such as ``inet filter forward``). The role adds its sets and a
    regular chain ``netallow_apple`` to that table and inserts ``jump netallow_apple`` rules at the head of the user's
    chain. Every object it adds carries the ``netallow_apple`` prefix or comment, so re-runs and removal find
    exactly them.

The ``ruleset`` artifact is one nft transaction (``nft -f``): the kernel applies all of it or nothing. It is computed
against the live state (``current``, the text of ``nft -j list table ...``) so that it replaces only the objects the
collection owns and keeps the addresses dnsmasq has learnt. When the live state already carries the fingerprint of
the wanted configuration it is empty: there is nothing to do.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing as t

from ansible_collections.netallow.apple.plugins.module_utils._stamp import STAMP_RE, stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import check_model
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import parse_cidr
from ansible_collections.netallow.apple.plugins.plugin_utils.render import _dnsmasq_lines, _naming
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(nftables): nftables configuration. CIDRs go into static interval sets, names and wildcards into dynamic sets with a
timeout; each group of ports gets one rule per set."""

# The files playbooks/render.yml writes for this format (path under out/render/ -> options).
OUTPUTS = {
    "nftables/netallow_apple-output.nft": {"artifact": "persist", "hook": "output"},
    "nftables/netallow_apple-forward.nft": {"artifact": "persist", "hook": "forward"},
    "nftables/dnsmasq-nftset.conf": {"artifact": "dnsmasq"},
    "nftables/refresh.json": {"artifact": "refresh"},
}

TAG = "netallow_apple"
# nft refuses a comment longer than this (NFTNL_UDATA_COMMENT_MAXLEN).
COMMENT_MAX = 128
MODES = ("enforce", "allow")
HOOKS = ("output", "forward")
FAMILIES = ("inet", "ip", "ip6")
STATES = ("present", "absent")
ARTIFACTS = ("ruleset", "persist", "dnsmasq", "refresh", "fingerprint")
PRIORITY_NAMES = ("raw", "mangle", "dstnat", "filter", "security", "srcnat")
POLICY_CHAIN = "allowlist"
OPTIONS = {
    "mode": {"type": "str", "choices": list(MODES), "default": "enforce",
             "description": "C(enforce): the collection's own table holds the policy; C(allow): accept rules are "
                            "added to the user's existing dropping C(chain) in C(table)."},
    "hook": {"type": "str", "choices": list(HOOKS), "default": "output",
             "description": "Enforce mode: C(output) for the host's own egress, C(forward) for a gateway."},
    "family": {"type": "str", "choices": list(FAMILIES), "default": "inet", "description": "The table's family."},
    "table": {"type": "str",
              "description": "C(netallow_apple) in enforce mode (the default); the user's table, such as C(filter), "
                             "in allow mode."},
    "chain": {"type": "str", "description": "Allow mode: the user's dropping chain, such as C(forward)."},
    "priority": {"type": "raw", "default": "filter",
                 "description": "Enforce mode base chain priority: an integer from -1000 to 1000 or one of "
                                + ", ".join(f"C({name})" for name in PRIORITY_NAMES) + "."},
    "clients": {"type": "list", "default": [],
                "description": "Source CIDRs the policy applies to; empty means all."},
    "interfaces": {"type": "list", "default": [],
                   "description": "Input interface names the policy applies to; empty means all."},
    "resolvers": {"type": "list", "default": [],
                  "description": "Enforce mode: DNS servers the scoped clients may query."},
    "ssh_port": {"type": "int", "default": 22, "null": True,
                 "description": "Enforce mode, output hook: replies of the management SSH session on this port are "
                                "always kept; null to leave out."},
    "dhcp": {"type": "bool", "default": True, "description": "Enforce mode, output hook: keep DHCP client traffic."},
    "dynamic_timeout": {"type": "raw", "default": "1h",
                        "description": "How long an address learnt from DNS stays in a dynamic set without traffic: "
                                       "seconds, or a string such as C(30m), C(1h), C(1d)."},
    "drop_other": {"type": "bool", "default": True,
                   "description": "Enforce mode: false counts and logs what would be dropped and lets it pass, a "
                                  "monitor for a first run."},
    "state": {"type": "str", "choices": list(STATES), "default": "present",
              "description": "C(absent) removes what the collection wrote."},
    "current": {"type": "raw",
                "description": "The text of C(nft -j list table <family> <table>); empty when the table does not "
                               "exist."},
    "artifact": {"type": "str", "choices": list(ARTIFACTS), "default": "ruleset",
                 "description": "C(ruleset): the transaction to apply now against C(current), empty when nothing "
                                "changes; C(persist): the file to load at boot; C(dnsmasq): C(nftset=) lines that "
                                "fill the dynamic sets; C(refresh): JSON names and sets for the resolve-at-apply "
                                "fallback; C(fingerprint): the comment that marks the applied configuration."},
    "header": {"type": "bool", "default": True,
               "description": "Start the text artifacts with C(#) comment lines (the stamp among them)."},
}
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}\*?\Z")
_TIMEOUT_RE = re.compile(r"^[1-9][0-9]*[smhd]\Z")
_INTEGER_RE = re.compile(r"^-?[0-9]{1,4}\Z")
_TIMEOUT_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class NftablesRenderError(RenderError):
    """An option given to the nftables renderer is not valid, or the live state does not allow the change."""

    format = "nftables"


# ---------------------------------------------------------------------------------------------------- options
def _name(value: t.Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise NftablesRenderError(
            f"{what} {value!r} is not a valid nftables name: use a letter then up to 63 of [A-Za-z0-9_]")
    return value


def _list(value: t.Any, what: str) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (str, int)):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise NftablesRenderError(f"{what} {value!r} is not valid: expected a list")


def _networks(value: t.Any, what: str) -> tuple[list[str], list[str]]:
    v4: list[str] = []
    v6: list[str] = []
    for item in _list(value, what):
        try:
            net = parse_cidr(item, f"{what} entry")
        except ValueError as exc:
            raise NftablesRenderError(str(exc)) from None
        (v4 if net.version == 4 else v6).append(str(net))
    return sorted(set(v4)), sorted(set(v6))


def _timeout(value: t.Any) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdecimal() and int(value) > 0:
        return int(value)
    if isinstance(value, str) and _TIMEOUT_RE.match(value):
        return int(value[:-1]) * _TIMEOUT_UNITS[value[-1]]
    raise NftablesRenderError(
        f"dynamic_timeout {value!r} is not valid: use seconds as a positive integer or a string such as 30m, 1h, 1d")


def _check_options(options: dict) -> dict:
    given = check_options(options, OPTIONS, NftablesRenderError)
    mode = given["mode"]
    opts: dict = {key: given[key] for key in ("mode", "hook", "family", "state", "artifact", "header")}
    if mode == "allow" and not given["table"]:
        raise NftablesRenderError(
            "option table None: allow mode needs it: name the table that holds your dropping chain, such as filter")
    opts["table"] = _name(given["table"] or TAG, "table")
    if mode == "allow" and opts["table"] == TAG:
        raise NftablesRenderError(
            f"option table {TAG!r}: the collection's own table; in allow mode name the table that holds your dropping"
            " chain")
    if mode == "allow":
        opts["chain"] = _name(given["chain"], "chain")
        if opts["chain"] == TAG:
            raise NftablesRenderError(f"option chain {TAG!r}: the collection's own chain; name the chain that drops")
    elif given["chain"]:
        raise NftablesRenderError(
            f"option chain {given['chain']!r}: only used in allow mode; enforce mode names its base chain after the"
            " hook")
    priority = given["priority"]
    if priority is None or priority == "":
        priority = "filter"
    if isinstance(priority, str) and _INTEGER_RE.match(priority):
        priority = int(priority)
    if isinstance(priority, bool) or not (
            (isinstance(priority, int) and -1000 <= priority <= 1000) or priority in PRIORITY_NAMES):
        raise NftablesRenderError(
            f"option priority {priority!r}: use an integer from -1000 to 1000 or one of {', '.join(PRIORITY_NAMES)}")
    opts["priority"] = priority if isinstance(priority, int) else str.__str__(priority)
    opts["clients4"], opts["clients6"] = _networks(given["clients"], "clients")
    interfaces = []
    for item in _list(given["interfaces"], "interfaces"):
        if not isinstance(item, str) or not _IFNAME_RE.match(item):
            raise NftablesRenderError(
                f"option interfaces entry {item!r}: not an interface name: 1-15 of [A-Za-z0-9_.-], optionally ending"
                " in *")
        interfaces.append(str.__str__(item))
    opts["interfaces"] = sorted(set(interfaces))
    opts["resolvers4"], opts["resolvers6"] = _networks(given["resolvers"], "resolvers")
    ssh_port = given["ssh_port"]
    if ssh_port is not None and not 1 <= ssh_port <= 65535:
        raise NftablesRenderError(f"option ssh_port {ssh_port!r}: use a port from 1 to 65535 or null")
    opts["ssh_port"] = ssh_port
    opts["dhcp"] = given["dhcp"]
    opts["drop_other"] = given["drop_other"]
    opts["timeout"] = _timeout(given["dynamic_timeout"])
    opts["current"] = _parse_current(given["current"])
    return opts


def _parse_current(value: t.Any) -> list:
    """``nft -j list table`` output (text or parsed) → list of its objects; empty when the table is absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise NftablesRenderError(f"current is not the JSON output of 'nft -j list table': {exc}") from None
    if not isinstance(value, dict) or not isinstance(value.get("nftables"), list):
        raise NftablesRenderError("current is not the JSON output of 'nft -j list table': no 'nftables' list")
    return value["nftables"]


# ---------------------------------------------------------------------------------------------------- model
def _ports(ports: t.Iterable[t.Union[int, str]]) -> str:
    return "{ " + ", ".join(str(port) for port in ports) + " }"


def _elements(values: t.Sequence[str]) -> str:
    return "{ " + ", ".join(values) + " }"


def _sets(model: t.Mapping, opts: dict) -> list[dict]:
    """One static interval set per group and address family with CIDRs, one dynamic set per family with names."""
    prefix = _naming.NFT_ALLOW_PREFIX if opts["mode"] == "allow" else _naming.NFT_ENFORCE_PREFIX
    sets = []
    for group in model.get("groups") or ():
        for family in _naming.families(opts["family"]):
            cidrs = group.get(f"cidrs{family}") or []
            base = {"group": group, "family": family, "addr": "ip" if family == "4" else "ip6",
                    "type": "ipv4_addr" if family == "4" else "ipv6_addr"}
            if cidrs:
                name = _naming.set_name(prefix, group["name"], "net", family, _naming.NFT_NAME_MAX)
                sets.append(dict(base, name=name, dynamic=False, elements=cidrs))
            if group.get("fqdns") or group.get("wildcards"):
                name = _naming.set_name(prefix, group["name"], "dns", family, _naming.NFT_NAME_MAX)
                sets.append(dict(base, name=name, dynamic=True, elements=[]))
    return sets


def _set_block(item: dict, timeout: int, indent: str) -> list[str]:
    if item["dynamic"]:
        # "dynamic" lets the accept rule refresh an address's timeout while it carries traffic.
        return [f"{indent}set {item['name']} {{",
                f"{indent}\ttype {item['type']}; flags dynamic, timeout; timeout {timeout}s;",
                f"{indent}}}"]
    return [f"{indent}set {item['name']} {{",
            f"{indent}\ttype {item['type']}; flags interval; auto-merge;",
            f"{indent}\telements = {_elements(item['elements'])}",
            f"{indent}}}"]


def _accept_rules(sets: list[dict]) -> list[str]:
    rules = []
    for item in sets:
        group = item["group"]
        match = f"{item['addr']} daddr @{item['name']} {group['protocol']} dport {_ports(group['ports'])}"
        refresh = f" update @{item['name']} {{ {item['addr']} daddr }}" if item["dynamic"] else ""
        rules.append(f'{match}{refresh} accept comment "{TAG}"')
    return rules


def _scope_matches(opts: dict) -> list[str]:
    """Matches that select the traffic the policy applies to (one jump rule each)."""
    iif = ""
    if opts["interfaces"]:
        names = ", ".join(f'"{name}"' for name in opts["interfaces"])
        iif = f"iifname {{ {names} }} "
    if not (opts["clients4"] or opts["clients6"]):
        return [iif.rstrip()]
    matches = []
    if opts["clients4"] and "4" in _naming.families(opts["family"]):
        matches.append(f"{iif}ip saddr {_elements(opts['clients4'])}")
    if opts["clients6"] and "6" in _naming.families(opts["family"]):
        matches.append(f"{iif}ip6 saddr {_elements(opts['clients6'])}")
    if not matches:
        raise NftablesRenderError(f"clients {opts['clients4'] + opts['clients6']} has no address of family "
                                  f"{opts['family']}; the policy would apply to nobody")
    return matches


def _enforce_rules(opts: dict) -> list[str]:
    """The rules ahead of the Apple accept rules in enforce mode: what must never be cut off."""
    families = _naming.families(opts["family"])
    rules = [f'ct state established,related accept comment "{TAG}"',
             f'ct state invalid drop comment "{TAG}"']
    if opts["hook"] == "output":
        rules.append(f'oifname "lo" accept comment "{TAG}"')
        if opts["ssh_port"] is not None:
            rules.append(f'tcp sport {opts["ssh_port"]} accept comment "{TAG}"')
        if opts["dhcp"]:
            if "4" in families:
                rules.append(f'udp sport 68 udp dport 67 accept comment "{TAG}"')
            if "6" in families:
                rules.append(f'udp sport 546 udp dport 547 accept comment "{TAG}"')
    if "6" in families:
        # Without neighbour discovery IPv6 stops working at all.
        rules.append("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert }"
                     f' accept comment "{TAG}"')
    for family, addr in (("4", "ip"), ("6", "ip6")):
        resolvers = opts[f"resolvers{family}"]
        if resolvers and family in families:
            rules.append(f'{addr} daddr {_elements(resolvers)} meta l4proto {{ tcp, udp }} th dport 53 accept '
                         f'comment "{TAG}"')
    return rules


def stamp_comments(model: t.Mapping) -> tuple[t.Optional[str], t.Optional[str]]:
    """The live ruleset's copies of the stamp line: ``(table comment, rule comment)``, each None when absent.

    The kernel keeps a table's comment when the table is loaded again (``table inet t { comment "new" }`` over an
    existing table succeeds and changes nothing), and the role keeps its table so that the dynamic sets keep the
    addresses dnsmasq learnt: the table's comment only holds the stamp of the table's creation (or of the boot-time
    file, which recreates the table). The first rule of the collection's own chain carries the stamp as well, as
    ``netallow_apple: <stamp line>``; rules are rewritten whenever the fingerprint changes, and the stamp is part of
    what the fingerprint covers, so that comment is always current. nft refuses comments over 128 characters: a
    stamp line that would not fit (a catalog_version of about 30 characters or more) is left out of the live ruleset,
    and the files' headers still carry it.
    """
    stamp = model.get("stamp")
    if not isinstance(stamp, t.Mapping):
        return None, None
    line = stamp_lines(stamp)[0]
    if not STAMP_RE.fullmatch(line):  # only the stamp's own characters go between the quotes
        return None, None
    table_comment = line if len(line) <= COMMENT_MAX else None
    rule_comment = f"{TAG}: {line}"
    return table_comment, rule_comment if len(rule_comment) <= COMMENT_MAX else None


def _with_comment(rule: str, comment: t.Optional[str]) -> str:
    """``rule`` (ending in ``comment "netallow_apple"``) with ``comment`` instead, when there is one."""
    suffix = f'comment "{TAG}"'
    if comment is None or not rule.endswith(suffix):
        return rule
    return rule[:-len(suffix)] + f'comment "{comment}"'


def _fingerprint(body: str) -> str:
    return f"{TAG}:{hashlib.sha256(body.encode()).hexdigest()[:16]}"


def _desired(model: t.Mapping, opts: dict) -> tuple[list[str], str]:
    """The declarative configuration (boot-time file body) and its fingerprint."""
    sets = _sets(model, opts)
    family, table = opts["family"], opts["table"]
    table_comment, rule_comment = stamp_comments(model)
    lines = [f"table {family} {table} {{"]
    if opts["mode"] == "enforce" and table_comment:
        # Taken at the table's creation only (see stamp_comments); the allow mode's table is the user's.
        lines.append(f'\tcomment "{table_comment}"')
    for item in sets:
        lines += _set_block(item, opts["timeout"], "\t")
    if opts["mode"] == "enforce":
        if opts["drop_other"]:
            final = f'counter drop comment "{TAG}"'
        else:
            # Monitor: count and log what enforcement would drop, and let it pass.
            final = f'counter limit rate 10/minute log prefix "{TAG} would drop: " comment "{TAG}"'
        policy_rules = _enforce_rules(opts) + _accept_rules(sets) + [final]
        policy_rules[0] = _with_comment(policy_rules[0], rule_comment)
        lines += [f"\tchain {POLICY_CHAIN} {{"] + [f"\t\t{rule}" for rule in policy_rules] + ["\t}"]
        lines += [f"\tchain {opts['hook']} {{",
                  f"\t\ttype filter hook {opts['hook']} priority {opts['priority']}; policy accept;"]
        lines += [f'\t\t{match} jump {POLICY_CHAIN} comment "@FINGERPRINT@"'.replace("\t\t ", "\t\t")
                  for match in _scope_matches(opts)]
        lines += ["\t}", "}"]
    else:
        accept_rules = _accept_rules(sets)
        if accept_rules:
            accept_rules[0] = _with_comment(accept_rules[0], rule_comment)
        lines += [f"\tchain {TAG} {{"] + [f"\t\t{rule}" for rule in accept_rules] + ["\t}", "}"]
        # Reversed: "insert" puts each rule at the head, so the last inserted comes first.
        lines += [f'insert rule {family} {table} {opts["chain"]} {match} jump {TAG} comment "@FINGERPRINT@"'
                  .replace("  ", " ") for match in reversed(_scope_matches(opts))]
    text = "\n".join(lines) + "\n"
    fingerprint = _fingerprint(text)
    return text.replace("@FINGERPRINT@", fingerprint).splitlines(), fingerprint


# ---------------------------------------------------------------------------------------------------- live state
def _objects(current: list, kind: str) -> list[dict]:
    return [item[kind] for item in current if isinstance(item, dict) and kind in item]


def _tagged(comment: t.Any) -> bool:
    return isinstance(comment, str) and (comment == TAG or comment.startswith(TAG + ":"))


def _owned_chains(current: list, opts: dict) -> list[str]:
    names = [chain["name"] for chain in _objects(current, "chain")]
    if opts["mode"] == "enforce":
        return names
    return [name for name in names if name == TAG]


def _owned_sets(current: list, opts: dict) -> list[dict]:
    sets = _objects(current, "set")
    if opts["mode"] == "enforce":
        return sets
    return [item for item in sets if item["name"].startswith(TAG + "_")]


def _foreign_tagged_rules(current: list, opts: dict) -> list[dict]:
    """Allow mode: the rules the collection put into chains it does not own (the jumps).

    Their chain names and handles come from the live ruleset and go into the transaction: anything but a plain
    name and an integer handle is refused rather than pasted.
    """
    rules = [rule for rule in _objects(current, "rule") if rule.get("chain") != TAG and _tagged(rule.get("comment"))]
    for rule in rules:
        handle = rule.get("handle")
        if not isinstance(rule.get("chain"), str) or not _NAME_RE.match(rule["chain"]) \
                or isinstance(handle, bool) or not isinstance(handle, int):
            raise NftablesRenderError(
                f"the live ruleset holds a rule tagged {TAG!r} in chain {rule.get('chain')!r} with handle "
                f"{handle!r}, which cannot be named safely; remove it by hand")
    return rules


# Live objects enforce mode may replace or delete: what it writes itself (see _desired) and nothing else.
_OWN_SET_RE = re.compile(r"^(?:tcp|udp)(?:_[0-9]+)+_(?:net|dns)[46]\Z")
_TABLE_OBJECT_KINDS = ("metainfo", "table", "chain", "rule", "set")


def foreign_objects(current: list, opts: dict) -> list[str]:
    """Enforce mode: what the live table holds that the collection did not write, described for an error message.

    The collection's table holds only the policy chain, a base chain named after its hook (type filter, policy
    accept), rules tagged with its comment and the sets it names after its groups. A table with anything else is
    someone else's: replacing or deleting it would destroy their rules.
    """
    foreign = []
    for item in current:
        if not isinstance(item, dict):
            continue
        kinds = [kind for kind in item if kind not in _TABLE_OBJECT_KINDS]
        foreign += [f"a {kind}" + (f" {item[kind].get('name')!r}" if isinstance(item[kind], dict) else "")
                    for kind in kinds]
    for chain in _objects(current, "chain"):
        name = chain.get("name")
        own_policy = name == POLICY_CHAIN and "hook" not in chain
        own_base = name in HOOKS and chain.get("hook") == name and chain.get("type") == "filter" \
            and chain.get("policy") == "accept"
        if not (own_policy or own_base):
            hook = f" (hook {chain['hook']}, policy {chain.get('policy')})" if "hook" in chain else ""
            foreign.append(f"chain {name!r}{hook}")
    for rule in _objects(current, "rule"):
        if not _tagged(rule.get("comment")):
            foreign.append(f"an untagged rule in chain {rule.get('chain')!r} (handle {rule.get('handle')})")
    for item in _objects(current, "set"):
        if not (isinstance(item.get("name"), str) and _OWN_SET_RE.match(item["name"])):
            foreign.append(f"set {item.get('name')!r}")
    if foreign or not _objects(current, "table"):
        return foreign
    # A table holding only harmless objects is still not proof of authorship: a user's empty chain with
    # "policy accept" (or an empty table) looks like one the collection would write. The collection's table always
    # carries its fingerprint on the jump of its base chain; without it, every chain and the table are someone else's.
    if not any(_tagged(rule.get("comment")) and rule.get("comment") != TAG and rule.get("chain") in HOOKS
               for rule in _objects(current, "rule")):
        chains = [chain for chain in _objects(current, "chain") if isinstance(chain, dict)]
        foreign += [f"chain {chain.get('name')!r}" + (f" (hook {chain['hook']}, policy {chain.get('policy')})"
                                                      if "hook" in chain else "") + " without the collection's tag"
                    for chain in chains] or ["no chain at all (an empty table it did not create)"]
    return foreign


def _check_enforce_owner(current: list, opts: dict) -> None:
    foreign = foreign_objects(current, opts)
    if foreign:
        shown = ", ".join(foreign[:6]) + (f" and {len(foreign) - 6} more" if len(foreign) > 6 else "")
        raise NftablesRenderError(
            f"table {opts['family']} {opts['table']} holds objects netallow.apple did not write: {shown}. Enforce mode "
            f"creates, replaces and deletes only a table of its own, so nothing was changed: choose another table "
            f"(the default is {TAG}) or use allow mode to add the Apple rules to this table")


def _check_allow_target(current: list, opts: dict) -> None:
    chains = {chain["name"]: chain for chain in _objects(current, "chain")}
    where = f"{opts['family']} {opts['table']}"
    if not current or not _objects(current, "table"):
        raise NftablesRenderError(
            f"allow mode needs the existing table {where} with the chain {opts['chain']!r} that drops; "
            "the table does not exist")
    if opts["chain"] not in chains:
        raise NftablesRenderError(
            f"allow mode needs the existing chain {opts['chain']!r} in table {where}; chains there: "
            f"{', '.join(sorted(chains)) or 'none'}")


def _present_transaction(model: t.Mapping, opts: dict, desired: list[str], fingerprint: str) -> list[str]:
    current = opts["current"]
    family, table = opts["family"], opts["table"]
    if opts["mode"] == "allow":
        _check_allow_target(current, opts)
    else:
        _check_enforce_owner(current, opts)
    if any(_tagged(rule.get("comment")) and rule.get("comment") == fingerprint for rule in _objects(current, "rule")):
        return []
    lines: list[str] = []
    if opts["mode"] == "allow":
        lines += [f"delete rule {family} {table} {rule['chain']} handle {rule['handle']}"
                  for rule in _foreign_tagged_rules(current, opts)]
    existing_chains = _owned_chains(current, opts)
    wanted_chains = [POLICY_CHAIN, opts["hook"]] if opts["mode"] == "enforce" else [TAG]
    # Empty every chain first: a chain or set can only go once no rule refers to it.
    lines += [f"flush chain {family} {table} {name}" for name in existing_chains]
    lines += [f"delete chain {family} {table} {name}" for name in existing_chains if name not in wanted_chains]
    wanted_sets = {item["name"]: item for item in _sets(model, opts)}
    for live in _owned_sets(current, opts):
        want = wanted_sets.get(live["name"])
        if want is None or want["type"] != live.get("type"):
            lines.append(f"delete set {family} {table} {live['name']}")
        elif not want["dynamic"]:
            if "timeout" in (live.get("flags") or []):
                lines.append(f"delete set {family} {table} {live['name']}")
            else:
                lines.append(f"flush set {family} {table} {live['name']}")
        elif live.get("timeout") != opts["timeout"] or "interval" in (live.get("flags") or []):
            lines.append(f"delete set {family} {table} {live['name']}")
    return lines + desired


def _absent_transaction(opts: dict) -> list[str]:
    current = opts["current"]
    family, table = opts["family"], opts["table"]
    if not _objects(current, "table"):
        return []
    if opts["mode"] == "enforce":
        _check_enforce_owner(current, opts)
        return [f"delete table {family} {table}"]
    lines = [f"delete rule {family} {table} {rule['chain']} handle {rule['handle']}"
             for rule in _foreign_tagged_rules(current, opts)]
    chains = _owned_chains(current, opts)
    lines += [f"flush chain {family} {table} {name}" for name in chains]
    lines += [f"delete chain {family} {table} {name}" for name in chains]
    lines += [f"delete set {family} {table} {item['name']}" for item in _owned_sets(current, opts)]
    return lines


# ---------------------------------------------------------------------------------------------------- artifacts
def _name_sets(model: t.Mapping, opts: dict) -> dict:
    """Each name (fqdn or wildcard suffix) → the dynamic sets per family its addresses belong in.

    dnsmasq applies only the most specific ``nftset=`` line matching a name, so a name's line also carries the sets
    of every listed wildcard above it.
    """
    own: dict = {}
    covering: dict = {}
    for item in _sets(model, opts):
        if not item["dynamic"]:
            continue
        target = (item["family"], item["name"])
        for name in list(item["group"].get("fqdns") or ()) + list(item["group"].get("wildcards") or ()):
            own.setdefault(name, set()).add(target)
        for name in item["group"].get("wildcards") or ():
            covering.setdefault(name, set()).add(target)
    result = {}
    for name, targets in sorted(_dnsmasq_lines.with_covering(own, covering).items()):
        result[name] = {family: sorted(set_name for set_family, set_name in targets if set_family == family)
                        for family in ("4", "6")}
    return result


def _dnsmasq(model: t.Mapping, opts: dict) -> list[str]:
    targets = {name: [_dnsmasq_lines.nftset_target(family, opts["family"], opts["table"], set_name)
                      for family in ("4", "6") for set_name in families[family]]
               for name, families in _name_sets(model, opts).items()}
    return _dnsmasq_lines.lines("nftset", targets, NftablesRenderError)


def _refresh(model: t.Mapping, opts: dict) -> str:
    names = {name: families for name, families in _name_sets(model, opts).items()
             if any(group for group in model.get("groups") or () if name in (group.get("fqdns") or ()))}
    return json.dumps({"family": opts["family"], "table": opts["table"], "timeout": opts["timeout"], "names": names},
                      indent=1, sort_keys=True) + "\n"


def _header(opts: dict, comment: str = "#", model: t.Optional[t.Mapping] = None) -> list[str]:
    if not opts["header"]:
        return []
    stamp = [f"{comment} {line}" for line in stamp_lines(model["stamp"])] if model and model.get("stamp") else []
    return [f"{comment} Managed by netallow.apple ({opts['mode']} mode); changes are overwritten."] + stamp


def render(model: t.Mapping, **options: t.Any) -> str:
    """Render ``model`` (the allow-list model) as the nftables artifact chosen by ``artifact`` (see FORMAT_DOC)."""
    if not isinstance(model, t.Mapping) or not isinstance(model.get("groups"), list):
        raise NftablesRenderError("the nftables renderer needs the allow-list model (a dict with 'groups')")
    check_model(model, error=NftablesRenderError)
    opts = _check_options(options)
    desired, fingerprint = _desired(model, opts)
    artifact = opts["artifact"]
    if artifact == "fingerprint":
        return fingerprint
    if artifact == "dnsmasq":
        return "\n".join(_header(opts, model=model) + _dnsmasq(model, opts)) + "\n"
    if artifact == "refresh":
        return _refresh(model, opts)
    if artifact == "persist":
        if opts["state"] == "absent":
            return ""
        reset = []
        if opts["mode"] == "enforce":
            # Loading the file twice (a reload without "flush ruleset") must not duplicate the rules.
            reset = [f"table {opts['family']} {opts['table']}", f"delete table {opts['family']} {opts['table']}"]
        return "\n".join(_header(opts, model=model) + reset + desired) + "\n"
    if opts["state"] == "absent":
        lines = _absent_transaction(opts)
    else:
        lines = _present_transaction(model, opts, desired, fingerprint)
    return "\n".join(_header(opts, model=model) + lines) + "\n" if lines else ""

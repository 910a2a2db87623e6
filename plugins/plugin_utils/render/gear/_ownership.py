# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What on a device is the role's own, where a name or number alone cannot tell.

Most objects the network gear role writes are named with its prefix, so the name says whose they are. Three kinds
are not: Check Point names a DNS domain object by the domain itself (``.albert.apple.com``), VyOS rules are numbered
inside a rule set the site may share with the role, and FortiOS keys its policies and the TLS exemptions of an SSL/SSH
profile by number. For those, what the device already holds decides: an object or
rule whose comment or description carries the collection's tag is the role's own; any other one is the site's, and
the role never changes or deletes it. These are pure functions over what the role read from the device.
"""

from __future__ import annotations

import re
import shlex
import typing as t

__all__ = ("OWNER_TAG", "fortios_exempt_conflicts", "is_owned", "plan_dns_domains", "vyos_rule_conflicts",
           "vyos_rules")

# Every comment and description the role writes carries it: the stamp line "netallow.apple stamp: ...".
OWNER_TAG = "netallow.apple"

# "set firewall ipv4 name RULESET rule 10 description 'text'" as "show configuration commands" prints it.
_VYOS_RULE_RE = re.compile(r"^set firewall (?P<family>ipv4|ipv6) name (?P<rule_set>\S+) rule (?P<number>[0-9]+)"
                           r"(?: (?P<rest>.*))?$")


def is_owned(comment: t.Any) -> bool:
    """Whether a comment or description is one the role wrote (it carries the collection's tag)."""
    return isinstance(comment, str) and OWNER_TAG in comment


def plan_dns_domains(planned: t.Sequence[t.Mapping], existing: t.Iterable[t.Mapping]) -> dict:
    """Split the Check Point DNS domains the renderer wants into the role's own and the site's.

    ``planned``: ``{name, is_sub_domain, comments}`` per domain; ``existing``: the device's dns-domain objects as
    ``cp_mgmt_dns_domain_facts`` returns them (``name``, ``comments``, ``is-sub-domain``). Returns ``write`` (the
    planned objects the role may create, update and delete: absent from the device, or carrying the tag), ``kept``
    (names of the site's objects, used as group members as they are) and ``warnings`` (a kept object whose
    sub-domain setting differs from what the selection needs). Check Point compares object names without case.
    """
    on_device = {}
    for obj in existing:
        if isinstance(obj, t.Mapping) and isinstance(obj.get("name"), str):
            on_device[obj["name"].lower()] = obj
    write, kept, warnings = [], [], []
    for domain in planned:
        found = on_device.get(domain["name"].lower())
        if found is None or is_owned(found.get("comments")):
            write.append(domain)
            continue
        kept.append(found["name"])
        sub_domain = found.get("is-sub-domain", found.get("is_sub_domain"))
        if isinstance(sub_domain, bool) and sub_domain != domain["is_sub_domain"]:
            flags = (sub_domain, domain["is_sub_domain"])
            have, wanted = ("sub-domains too" if flag else "the exact name only" for flag in flags)
            warnings.append(
                f"checkpoint: DNS domain {found['name']} is the site's own (its comments do not carry {OWNER_TAG}): "
                f"it is used as it is, but it matches {have} where the selection needs {wanted}")
    return {"write": write, "kept": kept, "warnings": warnings}


def vyos_rules(config_text: str) -> dict:
    """The numbered firewall rules in VyOS ``show configuration commands`` text.

    Returns ``{(family, rule_set, number): description or None}``; lines of other nodes are ignored.
    """
    rules: dict = {}
    for line in (config_text or "").splitlines():
        match = _VYOS_RULE_RE.match(line.strip())
        if not match:
            continue
        key = (match["family"], match["rule_set"], int(match["number"]))
        rules.setdefault(key, None)
        rest = match["rest"] or ""
        if rest.startswith("description "):
            try:
                words = shlex.split(rest)
            except ValueError:  # an unbalanced quote: keep the raw text, it is still not the role's tag
                words = ["description", rest[len("description "):]]
            rules[key] = " ".join(words[1:])
    return rules


def vyos_rule_conflicts(rules: t.Mapping, planned: t.Iterable[tuple]) -> list:
    """The planned ``(family, rule_set, number)`` rules that exist on the device and are not the role's own.

    Returns one ``{family, rule_set, number, description}`` per conflict, in the planned order.
    """
    conflicts = []
    for key in planned:
        if key in rules and not is_owned(rules[key]):
            family, rule_set, number = key
            conflicts.append({"family": family, "rule_set": rule_set, "number": number,
                              "description": rules[key]})
    return conflicts


def fortios_exempt_conflicts(planned: t.Sequence[t.Mapping], existing: t.Iterable[t.Mapping], prefix: str) -> tuple:
    """Split the planned ssl-exempt entries of a FortiOS SSL/SSH profile by what holds their ids on the device.

    An exemption has no comment: one is the role's when it exempts an object named with the role's prefix.
    ``existing``: the profile's ``ssl-exempt`` entries as the REST API returns them (``id``, ``type``,
    ``wildcard-fqdn`` or ``address``). Returns ``(conflicts, removable)``: the planned entries whose id holds the
    site's exemption, as ``{id, holds}``, and the planned entries whose id holds one of the role's (what state
    absent may delete).
    """
    by_id = {}
    for entry in existing:
        if isinstance(entry, t.Mapping) and entry.get("id") is not None:
            by_id[str(entry["id"])] = entry
    conflicts, removable = [], []
    for entry in planned:
        found = by_id.get(str(entry["id"]))
        if found is None:
            continue
        target = found.get("wildcard-fqdn") or found.get("address") or ""
        if isinstance(target, str) and target.startswith(f"{prefix}-"):
            removable.append(entry)
        else:
            holds = f"{found.get('type', 'an entry')} {target}".strip() if target else str(found.get("type", "entry"))
            conflicts.append({"id": entry["id"], "holds": holds})
    return conflicts, removable

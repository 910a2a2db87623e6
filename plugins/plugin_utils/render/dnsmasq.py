# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dnsmasq ``nftset=`` / ``ipset=`` lines that fill per-group address sets as Apple names are resolved."""

from __future__ import annotations

import functools
import re
import typing as t

from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import object_name

FORMAT_DOC = """\
C(dnsmasq): dnsmasq configuration lines that add the addresses of every resolved Apple name to per-group sets, so a
firewall can allow them by address. C(mode=nftset) (the default) writes
C(nftset=/name/.../4#<family>#<table>#<set>_d4,6#<family>#<table>#<set>_d6) lines for nftables (dnsmasq 2.87 or
later); C(mode=ipset) writes C(ipset=/name/.../<set>_d4,<set>_d6) lines for the iptables/ipset variant (the C(iptables)
format creates those sets). dnsmasq matches a listed C(/domain/) and every name below it: for a wildcard
C(*.push.apple.com) that is exactly our wildcard semantics plus the apex C(push.apple.com) itself, and a listed FQDN
also lets names below it through (they are still Apple's names). A name is listed once, with the sets of every group
that allows it, including the groups of wildcards that cover it, because dnsmasq only uses the most specific
matching line. One set per group and address family, named C(<set_prefix><group name>_d4) and C(_d6) (shortened
with a hash to 31 characters, the ipset limit, when needed). Options: C(mode) (C(nftset), C(ipset)), C(table) (nft
table, default C(netallow_apple)), C(family) (nft table family: C(inet), the default, C(ip), C(ip6)), C(set_prefix)
(default C(apple_)), C(header) (default true, a C(#) comment line; dnsmasq skips those)."""

# Files playbooks/render.yml writes for this format (path relative to out/render/ -> options).
OUTPUTS = {"dnsmasq/nftset.conf": {"mode": "nftset"}, "dnsmasq/ipset.conf": {"mode": "ipset"}}

SET_NAME_RULES = {"max_length": 31, "allowed": "A-Za-z0-9_", "replacement": "_", "hash_separator": "_"}
_SAFE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_SAFE_PREFIX_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]{0,15})?\Z")
_OPTIONS = {
    "mode": ("nftset", ("nftset", "ipset")),
    "table": ("netallow_apple", None),
    "family": ("inet", ("inet", "ip", "ip6")),
    "set_prefix": ("apple_", None),
    "header": (True, (True, False)),
}
# dnsmasq reads configuration lines into a buffer of MAXDNAME (1025) bytes; a longer line would be cut.
_MAX_LINE = 1000


class DnsmasqRenderError(ValueError):
    """Invalid option for the dnsmasq renderer."""


@functools.lru_cache(maxsize=4096)
def set_name(set_prefix: str, group: str, kind: str) -> str:
    """Name of a group's set: ``kind`` is ``d4``/``d6`` (filled by dnsmasq) or ``n4``/``n6`` (the group's CIDRs)."""
    return object_name(f"{set_prefix}{group}_{kind}", SET_NAME_RULES)


def check_options(
    options: t.Mapping[str, t.Any], known: t.Mapping[str, tuple], renderer: str, error: type = DnsmasqRenderError
) -> dict:
    """Fill defaults and check choices; ``table``, ``chain`` and ``set_prefix`` must be safe identifiers.

    Raises ``error`` (a ValueError subclass of the calling renderer) naming the option, the value and the choices.
    """
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise error(
            f"unknown {renderer} renderer option(s) {', '.join(unknown)}; valid options: {', '.join(known)}"
        )
    result = {}
    for name, (default, choices) in known.items():
        value = options.get(name)
        if value is None:
            value = default
        if choices is not None and not any(value == c and type(value) is type(c) for c in choices):
            raise error(
                f"invalid {renderer} renderer option {name}={value!r}; valid values: {', '.join(map(str, choices))}"
            )
        result[name] = value
    for name in ("table", "chain"):
        if name in result and not (isinstance(result[name], str) and _SAFE_NAME_RE.match(result[name])):
            raise error(
                f"invalid {renderer} renderer option {name}={result[name]!r}: expected a letter then up to 30 letters,"
                " digits or '_'"
            )
    if "set_prefix" in result and not (
        isinstance(result["set_prefix"], str) and _SAFE_PREFIX_RE.match(result["set_prefix"])
    ):
        raise error(
            f"invalid {renderer} renderer option set_prefix={result['set_prefix']!r}: expected a letter then up to 15"
            " letters, digits or '_' (or empty)"
        )
    return result


def require_model(model: t.Any, renderer: str, error: type = DnsmasqRenderError) -> None:
    if not isinstance(model, t.Mapping) or not isinstance(model.get("groups"), list):
        raise error(
            f"the {renderer} renderer needs the allow-list model (a dict with 'groups');"
            " use netallow.apple.to_allowlist"
        )


def name_groups(model: t.Mapping[str, t.Any]) -> dict:
    """``{domain: [group names]}``: every group that allows the name or a wildcard covering it, sorted."""
    exact: dict = {}
    covering: dict = {}
    for group in model["groups"]:
        for name in group["fqdns"]:
            exact.setdefault(name, set()).add(group["name"])
        for domain in group["wildcards"]:
            exact.setdefault(domain, set()).add(group["name"])
            covering.setdefault(domain, set()).add(group["name"])
    result = {}
    for name, groups in exact.items():
        found = set(groups)
        rest = name
        while "." in rest:
            rest = rest.split(".", 1)[1]
            found |= covering.get(rest, set())
        result[name] = sorted(found)
    return result


def _pack(prefix: str, names: list, suffix: str) -> list:
    """``prefix/name/name/.../suffix`` lines, as many names per line as fit under _MAX_LINE."""
    lines: list = []
    current: list = []
    for name in names:
        if len(prefix) + len(name) + len(suffix) + 3 > _MAX_LINE:
            raise DnsmasqRenderError(
                f"the dnsmasq line for {name!r} would be longer than {_MAX_LINE} characters ({suffix.count(',') + 1}"
                " sets): use a shorter set_prefix or table name, or fewer port groups"
            )
        if current and len(prefix) + len(suffix) + sum(len(n) + 1 for n in current) + len(name) + 2 > _MAX_LINE:
            lines.append(f"{prefix}/{'/'.join(current)}/{suffix}")
            current = []
        current.append(name)
    if current:
        lines.append(f"{prefix}/{'/'.join(current)}/{suffix}")
    return lines


def render(model: t.Mapping[str, t.Any], **options: t.Any) -> str:
    """Render ``model`` as dnsmasq ``nftset=`` or ``ipset=`` lines (see FORMAT_DOC for the options)."""
    require_model(model, "dnsmasq")
    opts = check_options(options, _OPTIONS, "dnsmasq")
    by_targets: dict = {}
    for name, groups in name_groups(model).items():
        if opts["mode"] == "nftset":
            targets = ",".join(
                f"{family}#{opts['family']}#{opts['table']}#{set_name(opts['set_prefix'], group, 'd' + family)}"
                for group in groups
                for family in ("4", "6")
                # An ip/ip6 table holds sets of its own family only.
                if opts["family"] == "inet" or (opts["family"] == "ip") == (family == "4")
            )
        else:
            targets = ",".join(
                set_name(opts["set_prefix"], group, kind) for group in groups for kind in ("d4", "d6")
            )
        by_targets.setdefault(targets, []).append(name)
    lines = []
    if opts["header"]:
        lines.append(f"# netallow.apple: {opts['mode']} lines for {sum(map(len, by_targets.values()))} names")
    keyword = "nftset=" if opts["mode"] == "nftset" else "ipset="
    for targets, names in sorted(by_targets.items(), key=lambda item: sorted(item[1])[0]):
        lines.extend(_pack(keyword, sorted(names), targets))
    return "".join(line + "\n" for line in lines)

# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared pieces of the network vendor renderers (fortios, checkpoint, asa, ...).

Each vendor renderer turns the allow-list model into the data the ``netallow.apple.network_gear`` role hands to
that vendor's Ansible modules: one list or dict per module, in the module's own option names, so the role's tasks
only loop. This module holds what all of them share: option checking, placement, object naming within each
vendor's length and character rules, and the table of what each platform can express.
"""

from __future__ import annotations

import functools
import re
import typing as t

from ansible_collections.netallow.apple.plugins.module_utils._stamp import STAMP_RE, stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import AllowlistError
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import port_bounds
from ansible_collections.netallow.apple.plugins.plugin_utils.render import _core, _naming
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError
from ansible_collections.netallow.apple.plugins.plugin_utils.render.gear import _ownership

__all__ = (
    "CAPABILITIES",
    "NAME_RULES",
    "POSITIONS",
    "VendorRenderError",
    "check_options",
    "host_names",
    "owned_rule_name",
    "port_label",
    "require_owner_tag",
    "services",
    "split_port",
    "stamped_comment",
    "unexpressible_warnings",
)


class VendorRenderError(RenderError, AllowlistError):
    """Invalid renderer option; the message names the value and the valid choices (format: the vendor)."""


POSITIONS = ("top", "bottom", "before", "after")

NAME_RULES = _naming.VENDOR_NAME_RULES

# What each platform can express, used by the renderers' warnings and the role README.
CAPABILITIES: dict = {
    "fortios": {
        "fqdn": "address type fqdn",
        "wildcard": "address type fqdn with *.domain (FortiOS 6.2+), wildcard-fqdn custom for ssl-exempt",
        "cidr6": "address6 / addrgrp6",
        "tls_exemption": "ssl-ssh-profile ssl-exempt (wildcard-fqdn and address entries)",
        "commit": "none (changes apply at once)",
    },
    "checkpoint": {
        "fqdn": "dns-domain, is-sub-domain false",
        "wildcard": "dns-domain, is-sub-domain true",
        "cidr6": "network with subnet6",
        "tls_exemption": "HTTPS inspection rule, action Bypass",
        "commit": "publish, then install-policy",
    },
    "asa": {
        "fqdn": "object network ... fqdn (asa_config)",
        "wildcard": None,
        "cidr6": "object-group network ipv6 address",
        "tls_exemption": None,
        "commit": "none (write memory is the operator's choice)",
    },
    "junos": {
        "fqdn": "address book dns-name",
        "wildcard": None,
        "cidr6": "address book ip-prefix",
        "tls_exemption": None,
        "commit": "commit (junos resource modules commit themselves)",
    },
    "vyos": {
        "fqdn": "firewall group domain-group (VyOS 1.4+)",
        "wildcard": None,
        "cidr6": "ipv6 network-group",
        "tls_exemption": None,
        "commit": "commit (vyos_config commits, only when a line changed)",
    },
    "panos": {
        "fqdn": "address object type fqdn",
        "wildcard": "custom URL category (*.domain) and a domain external dynamic list",
        "cidr6": "address object type ip-netmask",
        "tls_exemption": "decryption rule, action no-decrypt, with the URL category",
        "commit": "commit (panos_commit_firewall), only when something changed",
    },
}

_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,15}\Z")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")
# Rule names on API platforms may contain single spaces (Check Point's default "Cleanup rule").
_ANCHOR_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]| (?! )){0,62}\Z")
_COMMENT_RE = re.compile(r"^[A-Za-z0-9 _.,:()/+-]{0,200}\Z")
DEFAULT_COMMENT = "netallow.apple: Apple network requirements"
# The options every network gear format takes; each vendor module adds its own in VENDOR_OPTIONS.
COMMON_OPTIONS = {
    "prefix": {"type": "str", "default": "apple",
               "description": "Prefix of every object name: a letter then up to 15 of C([A-Za-z0-9_-])."},
    "position": {"type": "str", "choices": list(POSITIONS), "default": "bottom",
                 "description": "Where the allow rule goes; C(before)/C(after) need C(anchor)."},
    "anchor": {"type": "raw", "description": "The rule (name or id) to place the allow rule next to."},
    "rule_name": {"type": "str",
                  "description": "Name of the allow rule (default C(<prefix>-allow)); where the rule is found by this "
                                 "name to be changed or removed (checkpoint, junos, panos) it must start with "
                                 "C(<prefix>-)."},
    "comment": {"type": "str", "default": DEFAULT_COMMENT,
                "description": "Comment on every object: up to 200 of letters, digits, space and C(_.,:()/+-). The "
                               "model's stamp line follows it in parentheses, within the vendor's field length."},
}


# The shortest comment or description field among the objects each vendor renderer writes: ASA descriptions take 200
# characters, FortiOS comments on addresses, groups and services 255; the others are held to 255 as well.
COMMENT_FIELD_MAX = {"asa": 200, "fortios": 255, "checkpoint": 255, "panos": 255, "junos": 255, "vyos": 255}


def stamped_comment(vendor: str, opts: t.Mapping, model: t.Mapping, reserve: int = 0) -> str:
    """The comment every object gets: the option ``comment``, then the model's stamp line in parentheses.

    ``comment (netallow.apple stamp: catalog_version=... selection=sha256:... names=N)``: ``netallow.apple.deployed``
    reads the same line from files, and an administrator sees on the device which catalog version and selection an
    object came from. ``reserve`` is room the renderer appends to the comment itself (VyOS rule descriptions). A
    comment that would not fit the vendor's field with the stamp is refused, naming the room left.
    """
    comment = opts["comment"]
    stamp = model.get("stamp")
    if not isinstance(stamp, t.Mapping):
        return comment
    line = stamp_lines(stamp)[0]
    if not STAMP_RE.fullmatch(line):  # only the stamp's own characters go into a device's configuration
        _fail(vendor, f"the model's stamp {line!r} is not a netallow.apple stamp line")
    stamped = f"{comment} ({line})" if comment else line
    limit = COMMENT_FIELD_MAX[vendor] - reserve
    if len(stamped) > limit:
        room = limit - len(line) - 3
        _fail(vendor, f"comment {comment!r} is too long to carry the stamp on {vendor}: with {line!r} it takes "
                      f"{len(stamped)} of the {limit} characters the objects' comment field has room for; use a "
                      f"comment of at most {max(room, 0)} characters")
    return stamped


def _fail(vendor: str, message: str) -> t.NoReturn:
    raise VendorRenderError(message, vendor)


def check_name(vendor: str, option: str, value: t.Any, max_length: int = 63) -> str:
    """A user-given object or rule name: [A-Za-z0-9] then [A-Za-z0-9_.-], bounded length."""
    if not isinstance(value, str) or not _NAME_RE.match(value) or len(value) > max_length:
        _fail(
            vendor,
            f"{option} {value!r} is not a valid name: use a letter or digit, then letters, digits, '_', '.', '-' "
            f"(at most {max_length} characters)",
        )
    return value


def require_owner_tag(vendor: str, opts: t.Mapping, comment: str, owned: str) -> None:
    """Refuse a comment without the collection's tag where the device's state decides what is the role's own.

    With a stamped model the comment always carries it; a model without a stamp relies on the option ``comment``.
    ``owned`` names what the tag tells apart ("DNS domains", "policy", "rules").
    """
    if not _ownership.is_owned(comment):
        _fail(vendor, f"comment {opts['comment']!r} must carry {_ownership.OWNER_TAG!r} when the model has no stamp: "
                      f"it is how the role tells its own {owned} from the site's")


def owned_rule_name(vendor: str, opts: t.Mapping) -> str:
    """The allow rule's name: ``rule_name``, or ``<prefix>-allow``.

    Where the rule is found by this name to be changed or deleted (Check Point, Junos, PAN-OS), a name without the
    prefix could be a rule of the site's own, which the role would then take over or delete.
    """
    prefix = opts["prefix"]
    name = opts["rule_name"] or f"{prefix}-allow"
    if not name.startswith(f"{prefix}-"):
        _fail(vendor, f"rule_name {name!r} must start with the prefix and a dash ({prefix}-): the role creates, "
                      f"changes and deletes the rule of that name, so it is one of its own objects (for example "
                      f"{prefix}-{name})")
    return name


def options_of(vendor_options: t.Mapping) -> dict:
    """The declarations of a vendor format: the common options, then the vendor's own."""
    return {**COMMON_OPTIONS, **vendor_options}


def check_options(vendor: str, options: t.Mapping, vendor_options: t.Mapping) -> dict:
    """Validate common and vendor options (declarations, see options_of); return them with defaults filled in."""
    error = functools.partial(VendorRenderError, format=vendor)
    opts = _core.check_options(options, options_of(vendor_options), error)
    if not _PREFIX_RE.match(opts["prefix"]):
        _fail(vendor, f"prefix {opts['prefix']!r} is not valid: a letter then up to 15 of [A-Za-z0-9_-]")
    if opts["position"] in ("before", "after"):
        if opts["anchor"] in (None, ""):
            _fail(vendor, f"position {opts['position']} needs anchor (the rule to place the allow rule next to)")
        anchor = opts["anchor"]
        if isinstance(anchor, bool) or not isinstance(anchor, (str, int)) or not _ANCHOR_RE.match(str(anchor).strip()):
            _fail(vendor, f"anchor {anchor!r} is not a valid rule name or id: letters, digits, '_.-', single spaces")
    if not _COMMENT_RE.match(opts["comment"]):
        _fail(vendor, f"comment {opts['comment']!r} is not valid: up to 200 of letters, digits, space and _.,:()/+-")
    if opts["rule_name"] is not None:
        check_name(vendor, "rule_name", opts["rule_name"])
    return opts


def host_names(vendor: str, prefix: str, hosts: t.Iterable[str], kind_prefix: str = "") -> dict:
    """Stable, unique, vendor-valid object names for hosts or CIDRs, ``{host: name}`` (see _naming)."""
    return _naming.vendor_names(vendor, prefix, hosts, kind_prefix)


def services(model: t.Mapping, prefix: str, protocols: t.Sequence[str] = ("tcp", "udp")) -> list:
    """One service per protocol and port or range of the model: ``{name, protocol, port}`` (port as ``low-high``)."""
    return [{"name": _naming.service_name(prefix, protocol, port_label(port)), "protocol": protocol,
             "port": port_label(port)}
            for protocol in protocols for port in model["ports"].get(protocol, [])]


def split_port(port: t.Union[int, str]) -> tuple:
    """``443`` -> (443, 443); ``"8000-8999"`` -> (8000, 8999). Ports come validated from the model."""
    return port_bounds(port)


def port_label(port: t.Union[int, str]) -> str:
    low, high = split_port(port)
    return str(low) if low == high else f"{low}-{high}"


def unexpressible_warnings(vendor: str, model: t.Mapping) -> list:
    """One warning per selected entry kind the platform cannot express."""
    warnings = []
    if CAPABILITIES[vendor]["wildcard"] is None:
        for domain in model.get("wildcards", []):
            warnings.append(
                f"{vendor}: wildcard *.{domain} cannot be expressed (no wildcard FQDN objects); its hosts are "
                "reached only through the exact FQDNs and Apple's CIDRs in the selection"
            )
    return warnings


def require_model(vendor: str, model: t.Any) -> t.Mapping:
    keys = ("fqdns", "wildcards", "cidrs4", "cidrs6", "ports")
    if not isinstance(model, t.Mapping) or any(key not in model for key in keys):
        _fail(vendor, f"expects the allow-list model (a dict with {', '.join(keys)}), got {type(model).__name__}")
    return model

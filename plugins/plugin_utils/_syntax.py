# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host and port syntax: the one definition the catalog loader, the allow-list model and the matcher share.

Pure functions over the standard library. They answer "is this text well formed?" and return parsed values;
each caller words its own error messages around them (the catalog names the entry, the allow-list model names the
user's extra), so the messages users see did not change when the checks moved here.

Where the callers accepted slightly different texts before the checks were shared, a keyword argument keeps each
caller's rule (see :func:`is_network_syntax` and :func:`parse_port`).

Patterns are applied with ``re.match`` and end in ``$``, which also matches before one final newline. Callers
that take user input run :func:`forbidden_char` first, which refuses every control character.
"""

from __future__ import annotations

import encodings.idna
import ipaddress
import re
import typing as t

from ansible_collections.netallow.apple.plugins.module_utils._vocabulary import (
    FQDN_PATTERN,
    LABEL_PATTERN,
    MAX_NAME_LENGTH,
    PORT_MAX,
    PORT_MIN,
    is_ip_literal,
)

__all__ = (
    "FORBIDDEN_CHARS",
    "MAX_NAME_LENGTH",
    "NETWORK_HINTS",
    "PORT_MAX",
    "PORT_MIN",
    "BOOLEAN_FALSE",
    "BOOLEAN_TRUE",
    "PortSyntaxError",
    "forbidden_char",
    "parse_address",
    "parse_bool",
    "parse_cidr",
    "format_port",
    "is_fqdn",
    "is_ip_literal",
    "is_label",
    "is_network_syntax",
    "normalize_hostname",
    "parse_network",
    "is_decimal",
    "parse_port",
    "port_bounds",
    "split_wildcard",
)

# ---------------------------------------------------------------------------------------------------- host names
# RFC 1123 label: 1-63 of a-z, 0-9 and '-', neither first nor last a hyphen. Lower case: callers fold case first.
_LABEL_RE = re.compile(LABEL_PATTERN)
# At least two labels: a canonical catalog name, never a bare top-level domain.
_FQDN_RE = re.compile(FQDN_PATTERN)
# Every pattern here is applied with fullmatch: "$" would also accept a trailing newline, and a newline in a host
# name is exactly what a config injection needs.


def is_label(label: str) -> bool:
    """Whether ``label`` is one lower-case RFC 1123 label (A-label form)."""
    return bool(_LABEL_RE.fullmatch(label))


def is_fqdn(name: str) -> bool:
    """Whether ``name`` is a canonical host name: two or more lower-case labels, 253 characters at most, no dot last."""
    return bool(_FQDN_RE.fullmatch(name))


def _label_to_ascii(label: str, name: str) -> str:
    if label.isascii():
        return label
    try:
        # encodings.idna implements IDNA 2003 ToASCII (nameprep: case folding and normalisation included).
        return encodings.idna.ToASCII(label).decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"invalid host name {name!r}: label {label!r} cannot be IDNA-encoded ({exc})") from exc


def normalize_hostname(name: str) -> str:
    """Return ``name`` lower case, without one trailing dot, with Unicode labels as IDNA A-labels.

    Raises ValueError naming the value when it is not a valid host name (letters, digits and hyphens in labels of
    1-63 characters that neither start nor end with a hyphen, 253 characters at most). One label is enough here:
    callers that need a domain check the label count themselves.
    """
    if not isinstance(name, str):
        raise ValueError(f"invalid host name {name!r}: expected a string, got {type(name).__name__}")
    value = name[:-1] if name.endswith(".") else name
    if not value:
        raise ValueError(f"invalid host name {name!r}: empty")
    labels = [_label_to_ascii(label, name).lower() for label in value.split(".")]
    for label in labels:
        if not is_label(label):
            raise ValueError(
                f"invalid host name {name!r}: label {label!r} must be 1-63 letters, digits or hyphens,"
                " not starting or ending with a hyphen"
            )
    result = ".".join(labels)
    if len(result) > MAX_NAME_LENGTH:
        raise ValueError(f"invalid host name {name!r}: longer than {MAX_NAME_LENGTH} characters")
    return result


def split_wildcard(host: str) -> tuple[bool, str]:
    """``"*.push.apple.com"`` -> ``(True, "push.apple.com")``; any other text -> ``(False, text)`` unchanged.

    Only a leading ``*.`` makes a wildcard; a ``*`` anywhere else stays in the name for the name check to refuse.
    """
    if host.startswith("*."):
        return True, host[2:]
    return False, host


# ---------------------------------------------------------------------------------------------------- addresses
# How a host without "/" is recognised as an address (and must then parse as one) rather than as a name:
#   digits       ":" in it, or only ASCII digits and dots: the catalog's and the allow-list model's rule, so that
#                "17.0.0.1" must then parse as an address and "1.2.3" is refused rather than taken as a name;
#   literal      it parses as an IP address: the matcher's rule, so "1.2.3" is a (numeric) name there.
NETWORK_HINTS = ("digits", "literal")
_DIGITS_AND_DOTS_RE = re.compile(r"[0-9.]+")


def is_network_syntax(host: str, hint: str = "digits") -> bool:
    """Whether ``host`` is written as an address or CIDR (``/`` in it, or as ``hint`` says; see NETWORK_HINTS)."""
    if "/" in host:
        return True
    if hint == "literal":
        return is_ip_literal(host)
    if ":" in host:
        return True
    if hint == "digits":
        return bool(_DIGITS_AND_DOTS_RE.fullmatch(host))
    raise ValueError(f"invalid network hint {hint!r}; valid hints: {', '.join(NETWORK_HINTS)}")


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR (or a bare address, as /32 or /128) as an ``ipaddress`` network.

    Strict: host bits set after the prefix length (``17.0.0.1/8``) raise ipaddress's own ValueError, whose message
    names the value; callers put it into theirs.
    """
    return ipaddress.ip_network(text, strict=True)


# Addresses and CIDRs given as options (clients, resolvers, DNS servers, proxies) end up in configuration files.
# ipaddress accepts an IPv6 zone id ("fe80::1%eth0") made of any text at all and prints it back unchanged, so a
# newline, a quote or a space in it would carry configuration: zone ids are refused, and so is everything but the
# characters an address or a CIDR is written with.
_ADDRESS_CHARS_RE = re.compile(r"[0-9A-Fa-f:.]{2,45}")
_CIDR_CHARS_RE = re.compile(r"[0-9A-Fa-f:.]{2,45}(?:/[0-9]{1,3})?")
_ADDRESS_HELP = "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1 (no zone id, no spaces)"
_CIDR_HELP = "an IPv4 or IPv6 address or CIDR such as 10.0.0.0/8 or fd00::/8 (no zone id, no spaces)"


def _address_text(value: t.Any, what: str, pattern: re.Pattern, help_text: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{what} {value!r} is not valid: expected a string, {help_text}")
    if "%" in value:
        raise ValueError(f"{what} {value!r} is not valid: an IPv6 zone id ('%...') is not accepted; expected "
                         f"{help_text}")
    if not pattern.fullmatch(value):
        bad = forbidden_char(value)
        reason = f"contains {bad}" if bad else "is not written as one"
        raise ValueError(f"{what} {value!r} is not valid ({reason}): expected {help_text}")
    return value


def parse_address(value: t.Any, what: str = "address") -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """One IPv4 or IPv6 address, strictly: hexadecimal digits, ':' and '.' only (no zone id, no space).

    Raises ValueError naming ``what`` and the value. IPv4 parts with leading zeros are refused by ipaddress itself.
    """
    text = _address_text(value, what, _ADDRESS_CHARS_RE, _ADDRESS_HELP)
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not valid: expected {_ADDRESS_HELP}") from None


def parse_cidr(value: t.Any, what: str = "network", strict: bool = False
               ) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """One IPv4 or IPv6 address or CIDR as an ``ipaddress`` network, as strictly as :func:`parse_address`.

    ``strict``: host bits set after the prefix length are an error rather than masked off.
    """
    text = _address_text(value, what, _CIDR_CHARS_RE, _CIDR_HELP)
    try:
        return ipaddress.ip_network(text, strict=strict)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not valid ({exc}): expected {_CIDR_HELP}") from None


# ---------------------------------------------------------------------------------------------------- booleans
# Ansible's own boolean strings (ansible.module_utils.parsing.convert_bool): what "-e name=false" and a role's
# argument spec of type bool accept. bool() of any non-empty string is True, so "false" would turn an option on.
BOOLEAN_TRUE = frozenset(("y", "yes", "on", "1", "true", "t"))
BOOLEAN_FALSE = frozenset(("n", "no", "off", "0", "false", "f"))


def parse_bool(value: t.Any, what: str) -> bool:
    """A real boolean, or one of Ansible's boolean strings (or 0/1) converted; anything else raises ValueError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in BOOLEAN_TRUE:
            return True
        if folded in BOOLEAN_FALSE:
            return False
    raise ValueError(f"{what} {value!r} is not a boolean; valid values: true, false (or yes/no, on/off, 1/0)")


# ---------------------------------------------------------------------------------------------------- ports
# A range as the catalog writes it; lenient: spaces around '-' and any digit count (the bounds check then reports
# an out-of-range value rather than "not a port"). ASCII digits only: "\d" would also take other scripts' digits.
_RANGE_RE = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")
_LENIENT_RANGE_RE = re.compile(r"\s*([0-9]+)\s*-\s*([0-9]+)\s*")


class PortSyntaxError(ValueError):
    """A port that does not parse; ``reason`` says why, for callers that word their own message.

    Reasons: ``not_a_port`` (wrong type or text), ``out_of_range`` (a single port outside 1-65535),
    ``range_out_of_range`` (a bound outside 1-65535), ``range_order`` (low not below high).
    """

    REASONS = ("not_a_port", "out_of_range", "range_out_of_range", "range_order")

    def __init__(self, value: t.Any, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"{value!r} is not a valid port or range ({reason.replace('_', ' ')}): expected an integer "
                         f"{PORT_MIN}-{PORT_MAX} or a range 'low-high' with {PORT_MIN} <= low < high <= {PORT_MAX}")


def is_decimal(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (``str.isdigit`` also takes superscripts, which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def parse_port(value: t.Any, *, lenient_range: bool = False) -> int | tuple[int, int]:
    """Return a port as an int, or a range as ``(low, high)``; raise :class:`PortSyntaxError` for anything else.

    Accepts ints, digit strings and ``"low-high"`` strings (surrounding whitespace ignored). Booleans are refused:
    YAML turns ``yes`` into True, and True would otherwise pass as port 1.

    Digits are ASCII digits only. ``lenient_range``: spaces around the ``-`` and any number of digits are accepted
    in a range (the allow-list model); without it each bound has 1-5 digits.
    """
    if isinstance(value, bool):
        raise PortSyntaxError(value, "not_a_port")
    if isinstance(value, int):
        if not PORT_MIN <= value <= PORT_MAX:
            raise PortSyntaxError(value, "out_of_range")
        return value
    if not isinstance(value, str):
        raise PortSyntaxError(value, "not_a_port")
    text = value.strip()
    if is_decimal(text):
        port = int(text)
        if not PORT_MIN <= port <= PORT_MAX:
            raise PortSyntaxError(value, "out_of_range")
        return port
    found = (_LENIENT_RANGE_RE if lenient_range else _RANGE_RE).fullmatch(text)
    if not found:
        raise PortSyntaxError(value, "not_a_port")
    low, high = int(found.group(1)), int(found.group(2))
    if not (PORT_MIN <= low <= PORT_MAX and PORT_MIN <= high <= PORT_MAX):
        raise PortSyntaxError(value, "range_out_of_range")
    if low >= high:
        raise PortSyntaxError(value, "range_order")
    return low, high


def format_port(port: int | tuple[int, int]) -> int | str:
    """Inverse of :func:`parse_port`: ints stay ints, ranges become ``"low-high"``."""
    return port if isinstance(port, int) else f"{port[0]}-{port[1]}"


def port_bounds(port: int | str) -> tuple[int, int]:
    """A validated port as ``(low, high)``: ``443`` -> ``(443, 443)``, ``"8000-8999"`` -> ``(8000, 8999)``."""
    if isinstance(port, int):
        return port, port
    low, high = port.split("-")
    return int(low), int(high)


# ---------------------------------------------------------------------------------------------------- injection
# Characters that would end a token, start a comment, quote, expand or chain commands in one of the formats we
# write (shell, nftables, squid, dnsmasq, iptables-restore, vendor CLIs). Named explicitly in error messages.
FORBIDDEN_CHARS = {
    " ": "a space",
    "\t": "a tab",
    "\n": "a newline",
    "\r": "a carriage return",
    '"': "a double quote",
    "'": "a single quote",
    "`": "a backtick",
    ";": "';'",
    "{": "'{'",
    "}": "'}'",
    "#": "'#'",
    "$": "'$'",
    "\\": "a backslash",
    "|": "'|'",
    "&": "'&'",
    "<": "'<'",
    ">": "'>'",
    "(": "'('",
    ")": "')'",
    ",": "','",
    "=": "'='",
    "@": "'@'",
    "!": "'!'",
    "\x00": "a NUL character",
}


def forbidden_char(text: str) -> str | None:
    """Describe the first character of ``text`` that no host or port may contain (see FORBIDDEN_CHARS), or None.

    Every other control character (below 32, and DEL) is refused too and described by its repr.
    """
    for char in text:
        if char in FORBIDDEN_CHARS:
            return FORBIDDEN_CHARS[char]
        if ord(char) < 32 or ord(char) == 127:
            return f"the control character {char!r}"
    return None

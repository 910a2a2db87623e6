# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render the allow-list model as a proxy auto-config (PAC) file or fragment.

Matching is by table look-up rather than one ``shExpMatch`` per entry: the host is lower-cased, one trailing dot is
stripped, the whole name is looked up among the exact names, then each parent suffix among the wildcard domains.
That gives the catalog's exact semantics (``*.push.apple.com`` covers ``1-courier.push.apple.com`` but neither
``push.apple.com`` nor ``xpush.apple.com``) at a cost that does not grow with the size of the catalog. CIDRs are
tested only when the host is an IP literal, never by resolving a name: ``isInNet`` on a name blocks the browser on
DNS.
"""

from __future__ import annotations

import ipaddress
import json
import re

from ansible_collections.netallow.apple.plugins.module_utils._stamp import stamp_lines
from ansible_collections.netallow.apple.plugins.plugin_utils._allowlist import check_model
from ansible_collections.netallow.apple.plugins.plugin_utils._syntax import is_decimal, parse_address
from ansible_collections.netallow.apple.plugins.plugin_utils.render._core import RenderError, check_options

FORMAT_DOC = """\
C(pac): a proxy auto-config file (C(mode=file), default) or a fragment to merge into the site's own PAC
(C(mode=fragment)). The fragment defines C(netallowAppleFindProxyForURL(url, host)), which returns the Apple answer
or C(null); call it first in the site's C(FindProxyForURL). Host names are compared lower-case with one trailing
dot removed; wildcards cover subdomains only, never the apex; CIDRs are checked for IPv4/IPv6 literal hosts only (no
DNS)."""

OPTIONS = {
    "mode": {"type": "str", "choices": ["file", "fragment"], "default": "file",
             "description": "C(file): a whole PAC file; C(fragment): C(netallowAppleFindProxyForURL(url, host)) to "
                            "call first in the site's own C(FindProxyForURL)."},
    "proxy": {"type": "raw", "default": "DIRECT",
              "description": "What Apple hosts get: C(DIRECT), or C(PROXY host:port), C(HTTPS host:port), "
                             "C(SOCKS5 host:port); a list is joined as a fail-over chain."},
    "fallback": {"type": "raw", "default": "DIRECT",
                 "description": "What every other host gets in C(mode=file) when no C(site_pac) is given."},
    "site_pac": {"type": "str",
                 "description": "The text of the site's PAC file (C(mode=file)): its C(FindProxyForURL) is renamed "
                                "C(netallowAppleSiteFindProxyForURL) and answers every non-Apple host."},
    "header": {"type": "bool", "default": True, "description": "Start with C(//) comment lines and the stamp."},
}
_PROXY_KEYWORDS = ("PROXY", "HTTPS", "SOCKS", "SOCKS4", "SOCKS5")
_PROXY_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_SITE_ENTRY_RE = re.compile(r"\bfunction\s+FindProxyForURL\s*\(")
SITE_FUNCTION = "netallowAppleSiteFindProxyForURL"


class PacRenderError(RenderError):
    """An option given to the PAC renderer is not valid."""

    format = "pac"


def _proxy_directive(value) -> str:
    """Validate one PAC result directive (``DIRECT`` or ``<KEYWORD> host:port``) and return it normalised."""
    text = str(value).strip()
    if text.upper() == "DIRECT":
        return "DIRECT"
    keyword, _sep, endpoint = text.partition(" ")
    host, _colon, port = endpoint.strip().rpartition(":")
    host = host.lower()
    bare_host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    valid_host = bool(_PROXY_HOST_RE.match(bare_host))
    if not valid_host:
        try:
            # Strict: a zone id ("fe80::1%x; DIRECT") would carry a second directive into the browser's answer.
            parse_address(bare_host, "proxy host")
            valid_host = True
        except ValueError:
            valid_host = False
    if keyword.upper() not in _PROXY_KEYWORDS or not valid_host or not is_decimal(port) or not 1 <= int(port) <= 65535:
        raise PacRenderError(
            f"proxy directive {text!r} is not valid; use DIRECT or one of {', '.join(_PROXY_KEYWORDS)} "
            "followed by host:port (port 1-65535)")
    return f"{keyword.upper()} {host}:{int(port)}"


def _proxy_chain(value, option: str) -> str:
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    directives = [_proxy_directive(item) for item in items if str(item).strip()]
    if not directives:
        raise PacRenderError(f"{option} is empty; use DIRECT or e.g. 'PROXY proxy.example.com:3128'")
    return "; ".join(directives)


def _ipv4_nets(cidrs) -> list[list[int]]:
    nets = []
    for cidr in cidrs:
        network = ipaddress.IPv4Network(cidr, strict=False)
        nets.append([int(network.network_address), int(network.netmask)])
    return nets


def _ipv6_nets(cidrs) -> list[list]:
    nets = []
    for cidr in cidrs:
        network = ipaddress.IPv6Network(cidr, strict=False)
        packed = network.network_address.packed
        hextets = [packed[index] << 8 | packed[index + 1] for index in range(0, 16, 2)]
        nets.append([hextets, network.prefixlen])
    return nets


def _js_set(names) -> str:
    """A JavaScript object literal used as a set; json.dumps quotes and escapes every key."""
    if not names:
        return "{}"
    return "{\n" + ",\n".join(f"  {json.dumps(name)}: 1" for name in sorted(set(names))) + "\n}"


_MATCHER = r"""
function netallowAppleIPv4(name) {
  var parts = name.split(".");
  if (parts.length != 4) return -1;
  var value = 0;
  for (var i = 0; i < 4; i++) {
    // No leading zeros: browsers read "017" as octal (15), so "017.0.0.1" is not 17.0.0.1.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i]) || parts[i] > 255) return -1;
    value = value * 256 + parseInt(parts[i], 10);
  }
  return value;
}

function netallowAppleIPv6(name) {
  if (!/^[0-9a-f:]+$/.test(name)) return null;
  var halves = name.split("::");
  if (halves.length > 2) return null;
  var head = halves[0] ? halves[0].split(":") : [];
  var tail = halves.length == 2 && halves[1] ? halves[1].split(":") : [];
  var missing = 8 - head.length - tail.length;
  if ((halves.length == 1 && missing != 0) || (halves.length == 2 && missing < 1)) return null;
  var groups = head;
  for (var m = 0; halves.length == 2 && m < missing; m++) groups = groups.concat(["0"]);
  groups = groups.concat(tail);
  var hextets = [];
  for (var i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/.test(groups[i])) return null;
    hextets.push(parseInt(groups[i], 16));
  }
  return hextets;
}

function netallowAppleMatch(host) {
  var name = String(host).toLowerCase();
  if (name.charAt(0) == "[" && name.charAt(name.length - 1) == "]") name = name.substring(1, name.length - 1);
  if (name.charAt(name.length - 1) == ".") name = name.substring(0, name.length - 1);
  if (NETALLOW_APPLE_NAMES.hasOwnProperty(name)) return true;
  for (var dot = name.indexOf("."); dot >= 0; dot = name.indexOf(".", dot + 1)) {
    if (NETALLOW_APPLE_DOMAINS.hasOwnProperty(name.substring(dot + 1))) return true;
  }
  var address = NETALLOW_APPLE_NETS4.length ? netallowAppleIPv4(name) : -1;
  if (address >= 0) {
    for (var n = 0; n < NETALLOW_APPLE_NETS4.length; n++) {
      var mask = NETALLOW_APPLE_NETS4[n][1];
      if (address - address % (4294967296 - mask) == NETALLOW_APPLE_NETS4[n][0]) return true;
    }
    return false;
  }
  var hextets = NETALLOW_APPLE_NETS6.length && name.indexOf(":") >= 0 ? netallowAppleIPv6(name) : null;
  if (hextets) {
    for (var k = 0; k < NETALLOW_APPLE_NETS6.length; k++) {
      var net = NETALLOW_APPLE_NETS6[k][0], bits = NETALLOW_APPLE_NETS6[k][1], same = true;
      for (var h = 0; same && bits > 0; h++, bits -= 16) {
        var width = bits >= 16 ? 16 : bits, scale = Math.pow(2, 16 - width);
        same = Math.floor(hextets[h] / scale) == Math.floor(net[h] / scale);
      }
      if (same) return true;
    }
  }
  return false;
}

function netallowAppleFindProxyForURL(url, host) {
  return netallowAppleMatch(host) ? NETALLOW_APPLE_PROXY : null;
}
"""


def render(model: dict, **options) -> str:
    """Render the PAC file or fragment for ``model`` (see FORMAT_DOC for the options)."""
    check_model(model, error=PacRenderError)
    opts = check_options(options, OPTIONS, PacRenderError)
    mode = opts["mode"]
    proxy = _proxy_chain(opts["proxy"], "proxy")
    site_pac = opts["site_pac"]
    if site_pac is not None and mode == "fragment":
        raise PacRenderError("site_pac is only used with mode=file; a fragment is merged into the site's PAC by hand")
    if site_pac is not None and len(_SITE_ENTRY_RE.findall(str(site_pac))) != 1:
        raise PacRenderError(
            "site_pac must define exactly one 'function FindProxyForURL(url, host)'; "
            f"found {len(_SITE_ENTRY_RE.findall(str(site_pac)))}")

    header = opts["header"]
    parts: list[str] = []
    if header:
        parts.append(
            "// netallow.apple: Apple hosts go to " + json.dumps(proxy) + "; every other host is left to the site.\n"
            f"// Generated from the catalog ({model.get('entry_count', 0)} entries); do not edit by hand.\n")
        if model.get("stamp"):
            parts.append("".join(f"// {line}\n" for line in stamp_lines(model["stamp"])))
    parts.append(f"var NETALLOW_APPLE_PROXY = {json.dumps(proxy)};\n")
    parts.append(f"var NETALLOW_APPLE_NAMES = {_js_set(model.get('fqdns', ()))};\n")
    parts.append(f"var NETALLOW_APPLE_DOMAINS = {_js_set(model.get('wildcards', ()))};\n")
    parts.append(f"var NETALLOW_APPLE_NETS4 = {json.dumps(_ipv4_nets(model.get('cidrs4', ())))};\n")
    parts.append(f"var NETALLOW_APPLE_NETS6 = {json.dumps(_ipv6_nets(model.get('cidrs6', ())))};\n")
    parts.append(_MATCHER)
    if mode == "file":
        if site_pac is not None:
            parts.append("\n// The site's own PAC logic, unchanged apart from its entry point's name.\n")
            parts.append(_SITE_ENTRY_RE.sub(f"function {SITE_FUNCTION}(", str(site_pac)).rstrip("\n") + "\n")
            fallback = f"{SITE_FUNCTION}(url, host)"
        else:
            fallback = json.dumps(_proxy_chain(opts["fallback"], "fallback"))
        parts.append(
            "\nfunction FindProxyForURL(url, host) {\n"
            "  var apple = netallowAppleFindProxyForURL(url, host);\n"
            "  if (apple) return apple;\n"
            f"  return {fallback};\n"
            "}\n")
    return "".join(parts)

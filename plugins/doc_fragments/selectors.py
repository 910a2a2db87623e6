# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The catalog selectors that the endpoints lookup and the reachability module share (the module's action plugin
    # hands them to the same selection on the controller). Choices are the vocabulary's; a unit test keeps them equal.
    DOCUMENTATION = r"""
options:
  section:
    description:
      - Apple's section keys, such as C(devicesetup), C(devicemanagement), C(businessschool),
        C(businessschoolusers), C(businessessentials), C(classroom), C(software), C(appscontent), C(carrier),
        C(contentcaching), C(beta), C(diagnostics), C(dns), C(certificates), C(appleaccount), C(icloud),
        C(aisirisearch), C(associateddomains), C(taptopay), C(idverifier), C(firewall), C(serverhosts).
      - The list of valid keys comes from the catalog; an unknown key fails with that list.
    type: list
    elements: str
  service:
    description:
      - Service keys inside sections, such as C(apns), C(activation), C(time), C(software_update), C(icloud).
      - The P(netallow.apple.endpoints#lookup) lookup with O(netallow.apple.endpoints#lookup:output=entries) shows
        each entry's service.
    type: list
    elements: str
  platform:
    description:
      - Only entries for these platforms. Entries that are not device-specific (used from an administrator's
        browser) have no platforms and are always included.
    type: list
    elements: str
    choices: [ios, ipados, macos, tvos, visionos, watchos, windows]
  protocol:
    description:
      - Only entries that use these transport protocols, and of those only their ports of these protocols.
    type: list
    elements: str
    choices: [tcp, udp]
  port:
    description:
      - Only entries that use one of these ports (inside a port range too), on the protocols of O(protocol).
    type: list
    elements: int
  kind:
    description:
      - Only entries of these kinds. V(fqdn) is an exact host name, V(wildcard) a C(*.domain) entry, V(cidr) an
        address block.
    type: list
    elements: str
    choices: [fqdn, wildcard, cidr]
  host:
    description:
      - Only entries for these exact catalog hosts (for example V(*.push.apple.com) or V(17.0.0.0/8)).
    type: list
    elements: str
  ids:
    description:
      - Only the entries with these ids.
    type: list
    elements: str
  include_removed:
    description:
      - Also select entries Apple removed or renamed (history, with their C(status) and C(removed) date).
    type: bool
    default: false
  include_unverified:
    description:
      - Also select entries whose only source is a single unconfirmed copy of Apple's article
        (C(status=unverified)).
    type: bool
    default: false
  include_broad:
    description:
      - Also select broad entries, which allow far more than the services need. V(false) (the default) keeps the
        selection to the names, wildcards, address blocks and ports Apple lists for each service.
      - Broad entries are Apple's firewall shortcuts (C(scope=shortcut), C(*.apple.com) and C(17.0.0.0/8)), wildcards
        or address blocks of a third party's whole hosting or CDN platform (C(scope=platform), C(*.amazonaws.com)),
        and entries whose ports come from a general table rather than from Apple's row for that host
        (C(port_basis=inferred), the server-hosts article's hosts).
      - The trade-off. With V(true), a firewall that only filters by name or address needs fewer rules and keeps
        working when Apple adds a host, but it then admits every Apple name or address (and with the platform
        wildcards, everything hosted on Amazon Web Services) and ports Apple does not list for the host.
      - Naming a broad entry in O(ids) without this option fails with a message that says so.
    type: bool
    default: false
  catalog_path:
    description:
      - Read another catalog file in the same format instead of the one shipped with the collection (on the
        controller).
    type: path
"""

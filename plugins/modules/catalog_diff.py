#!/usr/bin/python
# Copyright (c) 2026, netallow.apple contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: catalog_diff
author: netallow.apple contributors (@netallow)
version_added: 1.1.0
short_description: Compare Apple's enterprise-networks article with the catalog
description:
  - Reads Apple's article "Use Apple products on enterprise networks" (support article 101555, formerly HT210060)
    in any language, from an C(https://) URL or a local file, and compares its tables with the catalog.
  - Sections are found by the heading's C(id) where Apple gives one, otherwise by the heading text in any of the
    catalog's languages; columns by their meaning (host, ports, protocol, platforms, description, proxy support).
  - Reports entries to add, remove and change. Entries whose sources include another article (server hosts,
    FaceTime and iMessage) are never reported as removed.
  - Runs on the controller and changes nothing; the playbook C(netallow.apple.catalog_update) writes the diff and,
    on request, applies it.
  - A network error, an HTTP error, a TLS failure, a timeout, a redirect away from the article (a login or captive
    portal page) or a page without readable tables fails the task with a message that says which.
options:
  source:
    description:
      - An C(https://) URL of the article in any language, or the path of a saved copy of the page.
    type: str
    default: https://support.apple.com/en-us/101555
  proxy:
    description:
      - An C(http://host:port) proxy for the HTTPS request. Without it no proxy is used, whatever the environment says.
    type: str
  timeout:
    description:
      - Seconds to wait for the page (connection and each read).
    type: float
    default: 30
  ca_path:
    description:
      - A PEM file of certificate authorities to trust instead of the system's.
    type: path
  catalog:
    description:
      - The catalog file to compare with. Defaults to the collection's C(vars/catalog.yml).
    type: path
  propose:
    description:
      - Also return RV(proposed_catalog), the catalog's text with the diff applied, the version bumped and
        C(updated) set to O(month). Entries are edited line by line; every other line stays as it is.
    type: bool
    default: false
  month:
    description:
      - The month (C(YYYY-MM)) recorded as C(added), C(removed), C(last_seen) and C(updated) by O(propose).
        Defaults to the controller's current month.
    type: str
extends_documentation_fragment:
  - netallow.apple.attributes
  - netallow.apple.attributes.action
attributes:
  check_mode:
    details: It only reads.
  action:
    details: Everything runs on the controller.
  platform:
    support: N/A
    platforms: all
seealso:
  - name: Use Apple products on enterprise networks
    description: Apple's article.
    link: https://support.apple.com/en-us/101555
"""

EXAMPLES = r"""
# example: offline: reads Apple's article over the internet (the catalog_update target serves it over local HTTPS)
- name: Compare the English article with the catalog, through the site's proxy
  netallow.apple.catalog_diff:
    proxy: http://proxy.example.edu:3128
    timeout: 20
  register: apple_article

- name: Show what would change
  ansible.builtin.debug:
    var: apple_article.lines
"""

RETURN = r"""
catalog_diff:
  description: The difference between the article and the catalog (what C(out/catalog-diff.json) holds).
  returned: success
  type: dict
  contains:
    catalog_version:
      description: The catalog's version that was compared.
      type: str
    source:
      description: The URL or file that was read.
      type: str
    read_rows:
      description: How many table rows were read from the page.
      type: int
    added:
      description: Rows on the page that are no current entry of their section (C(section), C(host), C(tcp), C(udp),
        C(platforms), C(proxy), C(text)).
      type: list
      elements: dict
    removed:
      description: Current entries that come from this article only and are no longer on the page (C(section),
        C(host), C(id)).
      type: list
      elements: dict
    changed:
      description: Entries whose C(tcp), C(udp), C(platforms) or C(proxy) differ (C(section), C(host), C(field),
        C(old), C(new), C(id), C(text)).
      type: list
      elements: dict
    unknown_sections:
      description: Tables under headings that map to no catalog section; they are not compared.
      type: list
      elements: dict
    unreadable_tables:
      description: Tables without recognisable host and port columns, and rows that could not be read.
      type: list
      elements: dict
    missing_sections:
      description: Catalog sections of this article that the page does not hold at all (their entries are not
        reported as removed).
      type: list
      elements: str
markdown:
  description: The diff as a change request a reviewer signs, per section.
  returned: success
  type: str
lines:
  description: One line per difference (C(+) add, C(-) remove, C(~) change).
  returned: success
  type: list
  elements: str
  sample: ["+ devicemanagement gdmf.apple.com tcp=[443] udp=[]"]
differs:
  description: Whether anything differs or could not be read.
  returned: success
  type: bool
proposed_catalog:
  description: The catalog's text with the diff applied (see O(propose)).
  returned: when O(propose=true)
  type: str
proposed_version:
  description: The bumped C(catalog_version) of RV(proposed_catalog) (scheme C(YYYY.M.N)).
  returned: when O(propose=true)
  type: str
  sample: 2026.4.0
"""

from ansible.module_utils.basic import AnsibleModule


def argument_spec() -> dict:
    return {
        "source": {"type": "str", "default": "https://support.apple.com/en-us/101555"},
        "proxy": {"type": "str"},
        "timeout": {"type": "float", "default": 30},
        "ca_path": {"type": "path"},
        "catalog": {"type": "path"},
        "propose": {"type": "bool", "default": False},
        "month": {"type": "str"},
    }


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    module.fail_json(msg="netallow.apple.catalog_diff runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
